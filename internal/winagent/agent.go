// Package winagent decides what is wrong with the SSH agent and the ssh
// program on Windows: the OpenSSH agent service and its named pipe,
// Pageant, SSH_AUTH_SOCK left over from another ssh, and which ssh git
// runs. The deciding logic is plain Go over facts gathered by a small
// Windows-only layer (or found in text a person pastes), so it is tested
// anywhere.
package winagent

import (
	"path"
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
)

// OpenSSHPipe is the agent pipe of OpenSSH for Windows; its ssh uses it
// when SSH_AUTH_SOCK is not set.
const OpenSSHPipe = `\\.\pipe\openssh-ssh-agent`

// Service start types, as the service manager reports them.
const (
	StartAuto     = "auto"
	StartManual   = "manual"
	StartDisabled = "disabled"
)

// Facts is what the Windows layer (or pasted text) tells.
type Facts struct {
	// SSHAuthSock as set in the environment ssh runs in ("" = unset).
	SSHAuthSock string
	// Pipes are the names under \\.\pipe\ (nil = not listed).
	Pipes []string
	// Service is the ssh-agent service: Installed false = no such service;
	// Start and Running as the service manager says ("" = not known).
	ServiceKnown bool
	Installed    bool
	Start        string
	Running      bool
	// Git is which ssh git runs (zero = not looked at).
	Git GitSSH
}

// PageantPipes are Pageant's pipes (PuTTY 0.75 and later name them
// pageant.USER.HASH).
func PageantPipes(pipes []string) []string {
	var out []string
	for _, p := range pipes {
		if strings.HasPrefix(strings.ToLower(p), "pageant.") {
			out = append(out, `\\.\pipe\`+p)
		}
	}
	return out
}

func hasPipe(pipes []string, name string) bool {
	for _, p := range pipes {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

// IsPipe says whether an agent path is a Windows named pipe.
func IsPipe(p string) bool {
	p = strings.ReplaceAll(p, "/", `\`)
	return strings.HasPrefix(strings.ToLower(p), `\\.\pipe\`)
}

// Diagnose gives the findings for the agent facts; none when the agent ssh
// will use is there.
func Diagnose(f Facts) []*diag.Finding {
	var out []*diag.Finding
	if f.SSHAuthSock != "" && !IsPipe(f.SSHAuthSock) {
		// Windows' ssh.exe connects to SSH_AUTH_SOCK as a pipe; a Unix-style
		// path there was left by Git for Windows', MSYS2's or Cygwin's
		// ssh-agent (Win32-OpenSSH#1133).
		out = append(out, diag.NewFinding("agent.windows_sock_not_pipe").Arg("sock", f.SSHAuthSock).
			Ev("SSH_AUTH_SOCK", f.SSHAuthSock).
			Ev("ssh_would_say", "Error connecting to agent: No such file or directory").
			Fix("fix.unset_ssh_auth_sock", `Remove-Item Env:\SSH_AUTH_SOCK`+"\n"+`[Environment]::SetEnvironmentVariable("SSH_AUTH_SOCK", $null, "User")`))
		return out
	}
	usesDefault := f.SSHAuthSock == "" || strings.EqualFold(strings.ReplaceAll(f.SSHAuthSock, "/", `\`), OpenSSHPipe)
	pageant := PageantPipes(f.Pipes)
	if usesDefault && f.Pipes != nil && !hasPipe(f.Pipes, "openssh-ssh-agent") {
		fd := diag.NewFinding("agent.windows_service_stopped").Ev("pipe", OpenSSHPipe+": absent")
		if f.ServiceKnown {
			switch {
			case !f.Installed:
				fd = diag.NewFinding("agent.windows_service_missing").Ev("pipe", OpenSSHPipe+": absent")
			default:
				fd.Arg("start", f.Start).Ev("service", "ssh-agent: start type "+orUnknown(f.Start)+", "+runState(f.Running))
			}
		}
		if fd.Code == "agent.windows_service_missing" {
			fd.Fix("fix.install_openssh_client", "Add-WindowsCapability -Online -Name OpenSSH.Client~~~~0.0.1.0")
		} else {
			fd.Fix("fix.start_ssh_agent_service", "Get-Service ssh-agent | Set-Service -StartupType Automatic\nStart-Service ssh-agent\nssh-add")
		}
		if len(pageant) > 0 {
			fd.Ev("pageant", strings.Join(pageant, ", "))
			fd.Fix("fix.use_pageant", pageantFix)
		}
		out = append(out, fd)
	}
	if g := f.Git; g.Command != "" && g.Kind == KindGitBundled && (usesDefault || IsPipe(f.SSHAuthSock)) {
		out = append(out, diag.NewFinding("agent.git_uses_other_ssh").Arg("ssh", g.Command).
			Ev("git_ssh", g.Command+" ("+g.Source+")").
			Ev("agent", "OpenSSH for Windows: "+OpenSSHPipe).
			Fix("fix.git_use_windows_ssh", `git config --global core.sshCommand "C:/Windows/System32/OpenSSH/ssh.exe"`))
	}
	return out
}

// Pageant writes an OpenSSH config fragment that points IdentityAgent at
// its pipe (PuTTY documentation, "Using Pageant with Windows OpenSSH").
const pageantFix = `pageant --openssh-config "$HOME\.ssh\pageant.conf"` + "\n" +
	`Add-Content "$HOME\.ssh\config" "Include pageant.conf"`

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func runState(r bool) string {
	if r {
		return "running"
	}
	return "stopped"
}

// Kinds of ssh programs.
const (
	KindWindowsOpenSSH = "windows-openssh"
	KindGitBundled     = "git-bundled"
	KindPlink          = "plink"
	KindOther          = "other"
)

// GitSSH is which ssh git runs, and what said so.
type GitSSH struct {
	Command string
	Source  string // GIT_SSH_COMMAND, GIT_SSH, core.sshCommand, default
	Kind    string
}

// WhichGitSSH follows git's order: GIT_SSH_COMMAND, then GIT_SSH, then
// core.sshCommand, else the ssh that Git for Windows bundles (it puts its
// own usr\bin first on its PATH).
func WhichGitSSH(getenv func(string) string, coreSSHCommand, gitExe string) GitSSH {
	g := GitSSH{}
	switch {
	case getenv("GIT_SSH_COMMAND") != "":
		g.Command, g.Source = getenv("GIT_SSH_COMMAND"), "GIT_SSH_COMMAND"
	case getenv("GIT_SSH") != "":
		g.Command, g.Source = getenv("GIT_SSH"), "GIT_SSH"
	case strings.TrimSpace(coreSSHCommand) != "":
		g.Command, g.Source = strings.TrimSpace(coreSSHCommand), "core.sshCommand"
	case gitExe != "":
		// ...\Git\cmd\git.exe → ...\Git\usr\bin\ssh.exe
		root := path.Dir(path.Dir(strings.ReplaceAll(gitExe, `\`, "/")))
		g.Command, g.Source = strings.ReplaceAll(root, "/", `\`)+`\usr\bin\ssh.exe`, "default"
	default:
		return g
	}
	g.Kind = kindOf(g.Command)
	return g
}

func kindOf(cmd string) string {
	c := strings.ToLower(strings.ReplaceAll(cmd, `\`, "/"))
	switch {
	case strings.Contains(c, "windows/system32/openssh/"):
		return KindWindowsOpenSSH
	case strings.Contains(c, "plink"):
		return KindPlink
	case strings.Contains(c, "/git/usr/bin/ssh"), strings.Contains(c, "/git/bin/ssh"):
		return KindGitBundled
	}
	return KindOther
}
