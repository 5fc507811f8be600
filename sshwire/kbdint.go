package sshwire

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// errNoAnswer aborts keyboard-interactive after the server's first prompt:
// the probe reads what the server asks and never answers.
var errNoAnswer = errors.New("sshdoctor: prompt seen; never answered")

// Prompts is what a keyboard-interactive server asks (RFC 4256
// SSH_MSG_USERAUTH_INFO_REQUEST): a name, an instruction and the prompts
// (usually "Password: ", or a one-time code).
type Prompts struct {
	// Asked: the server sent an INFO_REQUEST. false means it answered
	// the keyboard-interactive request with a failure at once: it has no
	// way to prompt (no PAM and no other device).
	Asked       bool
	Name        string
	Instruction string
	Questions   []string
	// Echo per question (a one-time code is often echoed; a password not).
	Echo []bool
}

// KbdInteractivePrompts starts keyboard-interactive and records the first
// round of prompts without answering any: the connection is then closed.
// It must follow Methods (the server's method list). It ends the probe.
func (p *Probe) KbdInteractivePrompts(ctx context.Context) (Prompts, error) {
	e, err := p.next(ctx)
	if err != nil {
		return Prompts{}, err
	}
	if e.kind != evAuth {
		return Prompts{}, fmt.Errorf("unexpected step %d before keyboard-interactive", e.kind)
	}
	var got Prompts
	cb := func(name, instruction string, questions []string, echos []bool) ([]string, error) {
		if len(questions) == 0 && !got.Asked && name == "" && instruction == "" {
			// An empty round (some servers open with one): answer it,
			// there is nothing secret in zero answers.
			return nil, nil
		}
		got = Prompts{Asked: true, Name: capText(name), Instruction: capText(instruction), Echo: echos}
		for _, q := range questions {
			got.Questions = append(got.Questions, capText(q))
		}
		return nil, errNoAnswer
	}
	p.answer(reply{auth: ssh.KeyboardInteractive(cb)})
	e, err = p.next(ctx)
	if err != nil {
		return got, err
	}
	switch e.kind {
	case evAuth, evDone:
		if got.Asked {
			return got, nil
		}
		if e.kind == evDone && e.err != nil && !errors.Is(e.err, errNoAnswer) {
			return got, e.err
		}
		return got, nil
	}
	return got, fmt.Errorf("unexpected step %d after keyboard-interactive", e.kind)
}

// capText keeps server-supplied prompt text short.
func capText(s string) string {
	const max = 200
	s = strings.TrimSpace(s)
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
