package sshlog

import "testing"

// Windows event rows copied from Event Viewer in the viewer's language
// (PowerShell/Win32-OpenSSH issue 1630, Chinese columns) and transcribed
// "Event ID 2: sshd: …" lines (issue 1184) are sshd's messages.
func TestWindowsEventRows(t *testing.T) {
	rows := "> 级别\t日期和时间\t来源\t事件 ID\t任务类别\n" +
		"> 信息\t2020/7/2 9:55:34\tOpenSSH\t4\t无\tsshd: Connection reset by authenticating user ftpuser 127.0.0.1 port 52880 [preauth]\n" +
		"> 信息\t2020/7/2 9:55:32\tOpenSSH\t4\t无\tsshd: Connection from 127.0.0.1 port 52880 on 127.0.0.1 port 22\n" +
		"> **信息\t2020/7/2 9:52:38\tOpenSSH\t4\t无\tsshd: Failed publickey for ftpuser from ::1 port 52871 ssh2: RSA SHA256:vmrVIU0XeXWX99YaydA5ljm5+AojUxpEVQhuQB6WNxY**\n" +
		"> 信息\t2020/7/2 9:52:38\tOpenSSH\t4\t无\tsshd: Authentication refused.\n" +
		"> 信息\t2020/7/2 9:52:38\tOpenSSH\t4\t无\tsshd: Connection from ::1 port 52871 on ::1 port 22\n"
	a := explainText(t, rows)
	if a.ServerLines < 5 {
		t.Fatalf("event rows read as sshd lines: %d", a.ServerLines)
	}
	if f := a.Findings[0]; f.Code != "server.strictmodes" {
		t.Fatalf("rows: %s", f.Code)
	}
	// sshd errors no rule knows are listed as not known yet, not dropped.
	b := explainText(t, "Event ID 2: sshd: error: Could not connect to agent \"\\\\\\\\.\\\\pipe\\\\openssh-ssh-agent\": No such file or directory\n\n"+
		"Event ID 2: sshd: error: Couldn't create pid file \"c:\\\\program files\\\\openssh/./logs/sshd.pid\": No such file or directory\n")
	f := b.Findings[0]
	if f.Code != "explain.unknown_failure" || len(f.Evidence) < 2 {
		t.Fatalf("unknown sshd errors: %s %+v", f.Code, f.Evidence)
	}
	for _, line := range []string{"Event ID: 4", "Event ID 4 happened", "a\tOpenSSH\tb"} {
		if n := eventRow([]byte(line)); n != 0 {
			t.Errorf("%q: %d", line, n)
		}
	}
}
