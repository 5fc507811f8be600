package winagent

import (
	"strings"

	"github.com/sshdoctor/sshdoctor/diag"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

var (
	// ssh-agent.exe run by hand when the service cannot start:
	// "unable to start ssh-agent service, error :1058" (1058 =
	// ERROR_SERVICE_DISABLED).
	startErrRE = lazyre.New(`unable to start ssh-agent service, error :?(\d+)`)
	// ssh -vvv on Windows: "unable to connect to pipe \\\\.\\pipe\\NAME,
	// error: 2" (2 = ERROR_FILE_NOT_FOUND: no one serves that pipe).
	pipeErrRE = lazyre.New(`unable to connect to pipe (\S+), error: (\d+)`)
)

// FromText finds the agent failures Windows' ssh tools print, in text a
// person pasted.
func FromText(text string) []*diag.Finding {
	var out []*diag.Finding
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(strings.TrimRight(l, "\r"))
		if m := startErrRE.FindStringSubmatch(l); m != nil {
			f := diag.NewFinding("agent.windows_service_stopped").Arg("start", "?").Ev("ssh_said", l)
			if m[1] == "1058" {
				f.Arg("start", StartDisabled).Ev("service", "ssh-agent: start type disabled (Windows error 1058)")
			}
			out = append(out, f.Fix("fix.start_ssh_agent_service", "Get-Service ssh-agent | Set-Service -StartupType Automatic\nStart-Service ssh-agent\nssh-add"))
			return out
		}
		if m := pipeErrRE.FindStringSubmatch(l); m != nil && m[2] == "2" {
			p := strings.ReplaceAll(m[1], `\\`, `\`)
			for strings.Contains(p, `\\\`) {
				p = strings.ReplaceAll(p, `\\\`, `\\`)
			}
			if strings.EqualFold(p, OpenSSHPipe) {
				out = append(out, diag.NewFinding("agent.windows_service_stopped").Arg("start", "?").Ev("ssh_said", l).
					Ev("pipe", OpenSSHPipe+": absent").
					Fix("fix.start_ssh_agent_service", "Get-Service ssh-agent | Set-Service -StartupType Automatic\nStart-Service ssh-agent\nssh-add"))
			} else {
				out = append(out, diag.NewFinding("agent.windows_pipe_missing").Arg("pipe", p).Ev("ssh_said", l).
					Fix("fix.list_agent_pipes", `Get-ChildItem \\.\pipe\ | Where-Object Name -match 'agent|pageant'`+"\n"+`$env:SSH_AUTH_SOCK`))
			}
			return out
		}
	}
	return out
}

// ServiceRow is one row of `Get-Service` table output.
type ServiceRow struct{ Status, Name, DisplayName string }

var serviceRowRE = lazyre.New(`^(Running|Stopped|StartPending|StopPending|Paused)\s+(\S+)\s+(.*)$`)

// ParseGetService reads the table `Get-Service NAME` prints.
func ParseGetService(text string) []ServiceRow {
	var out []ServiceRow
	for _, l := range strings.Split(text, "\n") {
		if m := serviceRowRE.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out = append(out, ServiceRow{m[1], m[2], strings.TrimSpace(m[3])})
		}
	}
	return out
}
