// Package fix turns a report's findings into a plan of mechanical repairs,
// asks for consent, backs up what it touches, applies, and undoes.
//
// Plans are built only from a report (finding codes, evidence and the exact
// fix commands the report prints) and a few explicit inputs (the user's home,
// the config file ssh reads, an expected host key fingerprint), never from
// the internals of the checks that produced the report.
//
// Every change is recorded in a manifest inside a backup directory
// (~/.ssh/sshdoctor-backups/<time>/) before it is made, so a failed step,
// a failed validation or a later `sshdoctor fix --undo` puts back exactly
// what was there.
package fix

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sshdoctor/sshdoctor/catalog"
)

// Kinds of step.
const (
	KindEdit    = "edit"    // a file's content changes: Diff shows how
	KindMode    = "mode"    // a file's mode or owner changes
	KindCommand = "command" // a program is run (Command is its exact line)
	KindManual  = "manual"  // printed for the person to run; sshdoctor does not run it
)

// Step is one change: what it changes, why, and how it is undone.
type Step struct {
	ID      int    `json:"id"`
	Code    string `json:"code"`
	Kind    string `json:"kind"`
	Why     string `json:"why"`
	Path    string `json:"path,omitempty"`
	Diff    string `json:"diff,omitempty"`
	Command string `json:"command,omitempty"`
	Undo    string `json:"undo"`
	Warning string `json:"warning,omitempty"`

	ops []op
	// validate runs after the ops; an error restores this step's backup.
	validate func(ctx context.Context, e *Env) error
	// then runs after a successful validation (a reload); an error
	// restores this step's backup and runs then again.
	then func(ctx context.Context, e *Env) error
}

// Plan is the steps for one report.
type Plan struct {
	Steps []*Step `json:"steps"`
	// Notes are findings sshdoctor recognised but will not change
	// (and why), so the person is not left guessing.
	Notes []string `json:"notes,omitempty"`
}

// Empty says there is nothing sshdoctor can apply or print.
func (p *Plan) Empty() bool { return p == nil || len(p.Steps) == 0 }

func (p *Plan) add(s *Step) {
	s.ID = len(p.Steps) + 1
	p.Steps = append(p.Steps, s)
}

// Inputs are the few facts a plan needs beyond the report.
type Inputs struct {
	Lang catalog.Lang
	// Home is the user's home directory (backups go under Home/.ssh).
	Home string
	// ConfigFile is the ssh client config ssh reads (-F, else ~/.ssh/config).
	ConfigFile string
	// ExpectFingerprint is the host key fingerprint the person confirmed
	// out of band (SHA256:…); only then is a new host key written.
	ExpectFingerprint string
	// GOOS decides between chmod and icacls.
	GOOS string
	// UID and GID of the user running sshdoctor (-1 on Windows).
	UID, GID int
	// SSHDConfig is sshd's main configuration (server; default
	// /etc/ssh/sshd_config).
	SSHDConfig string
	// KeyFile is the public key to install (server --key).
	KeyFile string
	// Getenv reads the environment (SSH_CONNECTION, SUDO_USER).
	Getenv func(string) string
	// Vagrantfile is the Vagrantfile of the working directory, when there
	// is one (vagrant reads the one where it runs).
	Vagrantfile string
	// Account is the Google account a gcp run acts as (OS Login keys
	// are imported into its profile).
	Account string
	// Cloud makes the Google Cloud changes of a gcp plan.
	Cloud Cloud `json:"-"`
}

// DefaultInputs fills Home, GOOS, UID and GID from this process.
func DefaultInputs(lang catalog.Lang) Inputs {
	home, _ := os.UserHomeDir()
	return Inputs{Lang: lang, Home: home, GOOS: runtime.GOOS, UID: os.Getuid(), GID: os.Getgid(), Getenv: os.Getenv}
}

func (in Inputs) getenv(k string) string {
	if in.Getenv == nil {
		return ""
	}
	return in.Getenv(k)
}

func (in Inputs) say(key string, args map[string]string) string {
	return catalog.Say(in.Lang, key, args)
}

// Env is what applying needs: where backups go and how commands run.
type Env struct {
	Backup *Backup
	// Run runs a command with a deadline; replaced in tests.
	Run func(ctx context.Context, argv []string) (string, error)
	// Cloud makes Google Cloud changes (nil when not a gcp run).
	Cloud Cloud
}

// ErrValidation marks a step whose validation failed; its backup was put
// back.
var ErrValidation = errors.New("validation failed")

// Apply runs the steps with the given IDs in order. A failing step is
// rolled back at once (its own changes) and Apply stops: steps already
// applied stay, recorded in the manifest, so the undo command reverses
// them. It returns the IDs applied.
func Apply(ctx context.Context, e *Env, p *Plan, ids []int) ([]int, error) {
	want := map[int]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var done []int
	for _, s := range p.Steps {
		if !want[s.ID] || s.Kind == KindManual {
			continue
		}
		mark := len(e.Backup.Manifest.Changes)
		// A reloaded change reloads again when put back (Change.Reload).
		_, err := applyStep(ctx, e, s)
		if err != nil {
			if rerr := e.Backup.rollbackFrom(ctx, e, mark); rerr != nil {
				err = fmt.Errorf("%w; restoring: %v", err, rerr)
			}
			return done, fmt.Errorf("step %d (%s): %w", s.ID, s.Code, err)
		}
		done = append(done, s.ID)
	}
	return done, nil
}

// applyStep runs a step's ops, its validation and its follow-up; reloaded
// says the follow-up ran (so a rollback must run it again).
func applyStep(ctx context.Context, e *Env, s *Step) (reloaded bool, err error) {
	for _, o := range s.ops {
		if err := o.do(ctx, e); err != nil {
			return false, err
		}
	}
	if s.validate != nil {
		if err := s.validate(ctx, e); err != nil {
			return false, fmt.Errorf("%w: %v", ErrValidation, err)
		}
	}
	if s.then != nil {
		return true, s.then(ctx, e)
	}
	return false, nil
}

// underHome says whether path is inside home (a user's file).
func underHome(home, path string) bool {
	if home == "" {
		return false
	}
	rel, err := filepath.Rel(home, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
