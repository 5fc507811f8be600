package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshdoctor/sshdoctor/gcp"
	"github.com/sshdoctor/sshdoctor/sshconfig"
	"github.com/sshdoctor/sshdoctor/vm"
)

// vmCompletionTimeout bounds the VBoxManage call behind `sshdoctor vm <TAB>`:
// a shell user waits for it, and a VBoxSVC that is still starting is not
// worth waiting for — the completion is then simply empty.
const vmCompletionTimeout = 2 * time.Second

// gcpCompletionTimeout bounds `sshdoctor gcp <TAB>` as a whole: finding
// credentials (gcloud takes one to three seconds to start) and one or two
// list calls. Past it the completion is empty.
const gcpCompletionTimeout = 4 * time.Second

// addCompletions wires dynamic completion into the command tree: Host
// aliases from the user's ssh config for a destination, VirtualBox VM names
// for vm. Every completer is bounded in time and silent on failure: a
// completion never prints an error into the user's command line.
func addCompletions(root *cobra.Command, s *IO) {
	root.CompletionOptions.HiddenDefaultCmd = false
	root.InitDefaultCompletionCmd()
	describeCompletionCmd(root)
	dest := func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		cfg, _ := cmd.Flags().GetString("config")
		return completeHosts(sshconfig.HostAliases(cfg, homeDir(s)), toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	root.ValidArgsFunction = dest
	for _, c := range root.Commands() {
		switch c.Name() {
		case "check":
			c.ValidArgsFunction = dest
		case "vm":
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return completeVMs(cmd.Context(), s, toComplete), cobra.ShellCompDirectiveNoFileComp
			}
		case "gcp":
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return completeInstances(cmd, s, toComplete), cobra.ShellCompDirectiveNoFileComp
			}
		}
	}
}

// completeHosts offers the aliases that start with what was typed; a
// "user@" already typed is kept in front of each.
func completeHosts(aliases []string, toComplete string) []cobra.Completion {
	user, host := "", toComplete
	if i := strings.LastIndex(toComplete, "@"); i >= 0 {
		user, host = toComplete[:i+1], toComplete[i+1:]
	}
	var out []cobra.Completion
	for _, a := range aliases {
		if strings.HasPrefix(a, host) {
			out = append(out, user+a)
		}
	}
	return out
}

// completeVMs lists VirtualBox VMs by name, when VBoxManage is installed and
// answers in time.
func completeVMs(ctx context.Context, s *IO, toComplete string) []cobra.Completion {
	path := vm.FindVBoxManage(s.Getenv)
	if path == "" {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, vmCompletionTimeout)
	defer cancel()
	vms, err := (&vm.VBoxManage{Path: path}).ListVMs(ctx, false)
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, v := range vms {
		if v.Name != "" && strings.HasPrefix(v.Name, toComplete) {
			out = append(out, v.Name)
		}
	}
	return out
}

// completeInstances lists the Compute Engine instances of the project (and
// zone) the gcp command would use, when credentials are at hand: the same
// defaults, endpoints and credential chain as a run, bounded by
// gcpCompletionTimeout, silent on any failure. A typed "user@" is kept.
func completeInstances(cmd *cobra.Command, s *IO, toComplete string) []cobra.Completion {
	flag := func(name string) string {
		v, _ := cmd.Flags().GetString(name)
		return v
	}
	home := homeDir(s)
	d := gcp.ResolveDefaults(flag("project"), flag("zone"), flag("account"), s.Getenv, home)
	if !projectIDRE.MatchString(d.Project.Value) || (d.Zone.Value != "" && !zoneRE.MatchString(d.Zone.Value)) {
		return nil
	}
	ep, err := gcp.EndpointsFromEnv(s.Getenv)
	if err != nil {
		return nil
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, gcpCompletionTimeout)
	defer cancel()
	o := gcp.Options{Getenv: s.Getenv, Endpoints: ep, CAFile: gcp.CustomCAFile(s.Getenv, home),
		Gcloud: gcloudCommand, ADC: gcpADC, Account: d.Account, CallTimeout: gcpCompletionTimeout}
	user, prefix := "", toComplete
	if i := strings.LastIndex(toComplete, "@"); i >= 0 {
		user, prefix = toComplete[:i+1], toComplete[i+1:]
	}
	names, err := gcp.New(o).API().InstanceNames(ctx, d.Project.Value, d.Zone.Value, prefix)
	if err != nil {
		return nil
	}
	out := make([]cobra.Completion, 0, len(names))
	for _, n := range names {
		out = append(out, user+n)
	}
	return out
}

// completionHelp replaces cobra's help for the completion commands with
// shorter text of our own, which the catalog translates.
var completionHelp = map[string][2]string{
	"completion": {"Print a shell completion script (bash, zsh, fish, powershell)",
		"Print the script that lets your shell complete sshdoctor's commands and flags,\n" +
			"the Host aliases of your ssh config, the names of VirtualBox VMs and, when\n" +
			"Google credentials are at hand, of Compute Engine instances.\n" +
			"See sshdoctor completion SHELL --help for where to put it.\n"},
	"bash": {"Print the bash completion script",
		"Print the bash completion script (it needs the bash-completion package).\n\n" +
			"For this shell only:\n\n\tsource <(sshdoctor completion bash)\n\n" +
			"For every new shell, once:\n\n\tsshdoctor completion bash > /etc/bash_completion.d/sshdoctor\n"},
	"zsh": {"Print the zsh completion script",
		"Print the zsh completion script. If completion is not enabled yet, run once:\n\n" +
			"\techo \"autoload -U compinit; compinit\" >> ~/.zshrc\n\n" +
			"For every new shell, once:\n\n\tsshdoctor completion zsh > \"${fpath[1]}/_sshdoctor\"\n"},
	"fish": {"Print the fish completion script",
		"Print the fish completion script.\n\n" +
			"For every new shell, once:\n\n\tsshdoctor completion fish > ~/.config/fish/completions/sshdoctor.fish\n"},
	"powershell": {"Print the PowerShell completion script",
		"Print the PowerShell completion script.\n\n" +
			"For this shell only:\n\n\tsshdoctor completion powershell | Out-String | Invoke-Expression\n\n" +
			"For every new shell, add that line to your PowerShell profile ($PROFILE).\n"},
}

func describeCompletionCmd(root *cobra.Command) {
	var comp *cobra.Command
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			comp = c
		}
	}
	if comp == nil {
		return
	}
	for _, c := range append([]*cobra.Command{comp}, comp.Commands()...) {
		if h, ok := completionHelp[c.Name()]; ok {
			c.Short, c.Long = h[0], h[1]
		}
		if f := c.Flags().Lookup("no-descriptions"); f != nil {
			f.Usage = "no description beside each completion"
		}
	}
}
