package sshlog

import "bytes"

// eventRow measures the columns before the message of a Windows event
// as people copy it: Event Viewer's rows (tab-separated level, date and
// time, source "OpenSSH", event ID, task category — in the viewer's
// language — then "sshd: message"), or a transcribed "Event ID 4: ". It
// returns 0 when the line is neither.
func eventRow(line []byte) int {
	if bytes.HasPrefix(line, []byte("Event ID ")) {
		i := len("Event ID ")
		j := i
		for j < len(line) && line[j] >= '0' && line[j] <= '9' {
			j++
		}
		if j > i && j+1 < len(line) && line[j] == ':' && line[j+1] == ' ' {
			return j + 2
		}
		return 0
	}
	src := bytes.Index(line, []byte("\tOpenSSH\t"))
	if src < 0 {
		return 0
	}
	last := bytes.LastIndexByte(line, '\t')
	if last <= src+len("\tOpenSSH") || bareIdent(line[last+1:]) == 0 {
		return 0
	}
	return last + 1
}

// sshdError tells sshd's error and fatal messages (their level word
// starts the message).
func sshdError(msg []byte) bool {
	return bytes.HasPrefix(msg, []byte("error: ")) || bytes.HasPrefix(msg, []byte("fatal: "))
}
