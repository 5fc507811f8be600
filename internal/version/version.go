// Package version says which sshdoctor this is. A release build sets the
// variables below with -ldflags -X; any other build (go install, go build in
// a checkout) falls back to what the Go toolchain recorded in the binary:
// the module version and, from a checkout, the VCS revision and whether the
// tree had uncommitted changes.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set at release time:
//
//	-X github.com/sshdoctor/sshdoctor/internal/version.Version=v1.2.3
//	-X github.com/sshdoctor/sshdoctor/internal/version.Revision=<commit>
//	-X github.com/sshdoctor/sshdoctor/internal/version.Date=<RFC 3339>
var (
	Version  = ""
	Revision = ""
	Date     = ""
)

// Info is the version of this binary. Empty fields are unknown.
type Info struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Date     string `json:"date,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// Get returns the version of the running binary.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return from(bi, Version, Revision, Date)
}

// from is Get with its inputs explicit, for tests.
func from(bi *debug.BuildInfo, ver, rev, date string) Info {
	// A release tool that could not read the repository fills its own
	// placeholders for an unknown commit and date; they mean "unknown".
	if rev == "none" || rev == "unknown" {
		rev = ""
	}
	if strings.HasPrefix(date, "0001-01-01") {
		date = ""
	}
	in := Info{Version: ver, Revision: rev, Date: date, Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if in.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			in.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if in.Revision == "" {
					in.Revision = s.Value
				}
			case "vcs.time":
				if in.Date == "" {
					in.Date = s.Value
				}
			case "vcs.modified":
				in.Modified = s.Value == "true"
			}
		}
		if bi.GoVersion != "" {
			in.Go = bi.GoVersion
		}
	}
	if in.Version == "" {
		in.Version = "devel"
	}
	// A pseudo-version built from a dirty checkout already says "+dirty";
	// keep the flag but do not print it twice.
	if strings.HasSuffix(in.Version, "+dirty") {
		in.Modified = true
	}
	return in
}

// String is the one line `sshdoctor --version` prints, e.g.
// "sshdoctor v1.2.3 (revision 0123456789ab, go1.26.8 linux/amd64)".
func (in Info) String() string {
	var parts []string
	if in.Revision != "" {
		r := in.Revision
		if len(r) > 12 {
			r = r[:12]
		}
		if in.Modified {
			r += ", modified"
		}
		parts = append(parts, "revision "+r)
	} else if in.Modified {
		parts = append(parts, "modified")
	}
	if in.Date != "" {
		parts = append(parts, "built "+in.Date)
	}
	parts = append(parts, in.Go+" "+in.Platform)
	return fmt.Sprintf("sshdoctor %s (%s)", in.Version, strings.Join(parts, ", "))
}
