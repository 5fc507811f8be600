package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	checkout := &debug.BuildInfo{GoVersion: "go1.26.8",
		Main: debug.Module{Path: "github.com/sshdoctor/sshdoctor", Version: "v0.0.0-20261202100000-0123456789ab+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-02T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		}}
	installed := &debug.BuildInfo{GoVersion: "go1.26.8",
		Main: debug.Module{Path: "github.com/sshdoctor/sshdoctor", Version: "v1.2.3"}}
	local := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}

	for _, tc := range []struct {
		name           string
		bi             *debug.BuildInfo
		ver, rev, date string
		want           Info
		line           string
	}{
		{name: "release ldflags win", bi: installed, ver: "v9.9.9", rev: "fedcba9876543210", date: "2026-12-01T00:00:00Z",
			want: Info{Version: "v9.9.9", Revision: "fedcba9876543210", Date: "2026-12-01T00:00:00Z", Go: "go1.26.8"},
			line: "sshdoctor v9.9.9 (revision fedcba987654, built 2026-12-01T00:00:00Z, go1.26.8 "},
		{name: "release tool placeholders", bi: installed, ver: "v9.9.9", rev: "none", date: "0001-01-01T00:00:00Z",
			want: Info{Version: "v9.9.9", Go: "go1.26.8"}, line: "sshdoctor v9.9.9 (go1.26.8 "},
		{name: "go install module version", bi: installed,
			want: Info{Version: "v1.2.3", Go: "go1.26.8"},
			line: "sshdoctor v1.2.3 (go1.26.8 "},
		{name: "dirty checkout", bi: checkout,
			want: Info{Version: "v0.0.0-20261202100000-0123456789ab+dirty", Revision: "0123456789abcdef0123456789abcdef01234567",
				Modified: true, Date: "2026-12-02T10:00:00Z", Go: "go1.26.8"},
			line: "(revision 0123456789ab, modified, built 2026-12-02T10:00:00Z, go1.26.8 "},
		{name: "no module version", bi: local, want: Info{Version: "devel", Go: "go1.26.8"}, line: "sshdoctor devel (go1.26.8 "},
		{name: "no build info", bi: nil, want: Info{Version: "devel"}, line: "sshdoctor devel ("},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := from(tc.bi, tc.ver, tc.rev, tc.date)
			if tc.want.Go == "" {
				tc.want.Go = got.Go
			}
			tc.want.Platform = got.Platform
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			if s := got.String(); !strings.Contains(s, tc.line) {
				t.Errorf("String() = %q, want it to contain %q", s, tc.line)
			}
		})
	}
}
