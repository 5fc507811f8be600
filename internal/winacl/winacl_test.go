package winacl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func read(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseIcaclsCaptured(t *testing.T) {
	files, err := ParseIcacls(read(t, "icacls_everyone_rx.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != `\Users\User_Profile\.ssh\id_rsa.pub` || len(files[0].Desc.DACL) != 4 {
		t.Fatalf("parsed %+v", files)
	}
	d := files[0].Desc
	if d.DACL[0].SID != SIDAdministrators || d.DACL[3].SID != SIDEveryone || d.DACL[3].Mask != 0x1200a9 || d.DACL[2].SID != "" {
		t.Fatalf("entries %+v", d.DACL)
	}

	files, err = ParseIcacls(read(t, "icacls_owner_only.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Path != `C:\Users\me\.ssh\id_rsa` || files[1].Path != `C:\Users\me\.ssh\id_rsa.pub` {
		t.Fatalf("parsed %+v", files)
	}
	if a := files[1].Desc.DACL[1]; !a.Inherited || a.SID != SIDAdministrators || a.Mask != FileAllAccess {
		t.Fatalf("inherited entry %+v", a)
	}
	// The continuation indentation tells the trustee with a space apart.
	files, err = ParseIcacls(read(t, "icacls_authorized_keys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if files[0].Path != "authorized_keys" || files[0].Desc.DACL[0].Name != `NT SERVICE\sshd` || files[0].Desc.DACL[1].SID != SIDSystem {
		t.Fatalf("parsed %+v", files[0])
	}
}

func TestEvaluateCaptured(t *testing.T) {
	cases := []struct {
		file      string
		user      User
		purpose   Purpose
		ok        bool
		decided   bool
		offenders []string // Who() of each offender
		badOwner  bool
	}{
		// Everyone:(RX) on a key: ssh names \\Everyone (S-1-1-0).
		{"icacls_everyone_rx.txt", User{Name: `DESKTOP\USERPROFILE`}, PrivateKey, false, true, []string{"Everyone (S-1-1-0)"}, false},
		// The user's own name (as the reporter wrote it) is accepted.
		{"icacls_everyone_rx.txt", User{Name: `USERPROFILE`}, PrivateKey, false, true, []string{"Everyone (S-1-1-0)"}, false},
		// Read-only Everyone is fine for a config file.
		{"icacls_everyone_rx.txt", User{Name: `USERPROFILE`}, ReadableByOthers, true, true, nil, false},
		// Only the user: fine.
		{"icacls_owner_only.txt", User{Name: `MYDOMAIN\me`}, PrivateKey, true, true, nil, false},
		// Read for the sshd service account on authorized_keys: fine.
		{"icacls_authorized_keys.txt", User{}, ReadableByOthers, true, true, nil, false},
		// ... but not on a private key, and the account cannot be judged
		// from a name only.
		{"icacls_authorized_keys.txt", User{}, PrivateKey, false, false, nil, false},
		// LOCAL SERVICE may modify: wrong for any purpose; Users read only.
		{"sddl_localservice_users.txt", User{SID: "S-1-5-21-1-2-3-1001"}, ReadableByOthers, false, true, []string{`NT AUTHORITY\LOCAL SERVICE (S-1-5-19)`}, false},
		{"sddl_localservice_users.txt", User{SID: "S-1-5-21-1-2-3-1001"}, PrivateKey, false, true,
			[]string{`NT AUTHORITY\LOCAL SERVICE (S-1-5-19)`, `BUILTIN\Users (S-1-5-32-545)`}, false},
		{"sddl_inherited_users.txt", User{SID: "S-1-5-21-1-2-3-1001"}, PrivateKey, false, true, []string{`BUILTIN\Users (S-1-5-32-545)`}, false},
		{"sddl_inherited_users.txt", User{SID: "S-1-5-21-1-2-3-1001"}, ReadableByOthers, true, true, nil, false},
	}
	for _, c := range cases {
		text := read(t, c.file)
		var d *Descriptor
		if strings.HasPrefix(c.file, "sddl") {
			var err error
			if d, err = ParseSDDL(text); err != nil {
				t.Fatal(err)
			}
		} else {
			files, err := ParseIcacls(text)
			if err != nil {
				t.Fatal(err)
			}
			d = files[len(files)-1].Desc
			if c.file == "icacls_owner_only.txt" {
				d = files[0].Desc
			}
		}
		v := Evaluate(d, c.user, c.purpose)
		var got []string
		for _, a := range v.Offenders {
			got = append(got, Who(a))
		}
		if v.OK != c.ok || v.Decided != c.decided || v.BadOwner != c.badOwner || strings.Join(got, "|") != strings.Join(c.offenders, "|") {
			t.Errorf("%s %+v purpose %d: got ok=%v decided=%v badOwner=%v offenders=%q unresolved=%d", c.file, c.user, c.purpose,
				v.OK, v.Decided, v.BadOwner, got, len(v.Unresolved))
		}
	}
}

func TestEvaluateRules(t *testing.T) {
	me := User{SID: "S-1-5-21-1-2-3-1001"}
	cases := []struct {
		sddl    string
		purpose Purpose
		ok      bool
	}{
		{"O:S-1-5-21-1-2-3-1001D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;S-1-5-21-1-2-3-1001)", PrivateKey, true},
		// another user as owner
		{"O:S-1-5-21-1-2-3-1002D:P(A;;FA;;;S-1-5-21-1-2-3-1001)", PrivateKey, false},
		// TrustedInstaller owns: accepted
		{"O:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464D:P(A;;FA;;;SY)", PrivateKey, true},
		// a deny entry for Everyone is never an offence (only allow entries are read)
		{"O:BAD:P(D;;FA;;;WD)(A;;FA;;;S-1-5-21-1-2-3-1001)", PrivateKey, true},
		// OWNER RIGHTS is not the owner for OpenSSH (Win32-OpenSSH#2317)
		{"O:BAD:P(A;;FA;;;OW)", PrivateKey, false},
		// no access list at all
		{"O:BAD:NO_ACCESS_CONTROL", ReadableByOthers, false},
		// read-only for Authenticated Users on a config: fine; with delete: not
		{"O:BAD:(A;;FR;;;AU)", ReadableByOthers, true},
		{"O:BAD:(A;;0x130089;;;AU)", ReadableByOthers, false},
		// a zero-rights allow entry still breaks a private key
		{"O:BAD:(A;;0x0;;;AU)", PrivateKey, false},
	}
	for _, c := range cases {
		d, err := ParseSDDL(c.sddl)
		if err != nil {
			t.Fatalf("%s: %v", c.sddl, err)
		}
		if v := Evaluate(d, me, c.purpose); v.OK != c.ok || !v.Decided {
			t.Errorf("%s purpose %d: ok=%v decided=%v", c.sddl, c.purpose, v.OK, v.Decided)
		}
	}
	// The user's SID unknown: another account SID cannot be judged.
	d, _ := ParseSDDL("O:BAD:(A;;FA;;;S-1-5-21-1-2-3-1002)")
	if v := Evaluate(d, User{}, PrivateKey); v.Decided || v.OK {
		t.Errorf("unknown user decided: %+v", v)
	}
	// SID history: another SID of the same account is accepted.
	v := Evaluate(d, User{SID: "S-1-5-21-9-9-9-1", SameAccount: func(s string) bool { return s == "S-1-5-21-1-2-3-1002" }}, PrivateKey)
	if !v.OK {
		t.Errorf("sid history: %+v", v)
	}
}

func TestParseSDDLErrors(t *testing.T) {
	for _, s := range []string{"", "garbage", "O:", "D:(A;;FA;;;SY", "D:(A;;FA;;)", "D:(A;;ZZ;;;SY)", "D:(A;XX;FA;;;SY)", "O:S-1-x", strings.Repeat("D:", 40000)} {
		if _, err := ParseSDDL(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
	if _, err := ParseIcacls("Successfully processed 0 files; Failed processing 1 files\n"); err == nil {
		t.Error("icacls without a listing: no error")
	}
}

func TestFixCommands(t *testing.T) {
	files, _ := ParseIcacls(read(t, "icacls_everyone_rx.txt"))
	u := User{Name: `USERPROFILE`}
	v := Evaluate(files[0].Desc, u, PrivateKey)
	got := strings.Join(FixCommands(`C:\Users\User_Profile\.ssh\id_rsa`, v, u, PrivateKey), "\n")
	want := `icacls "C:\Users\User_Profile\.ssh\id_rsa" /grant:r "USERPROFILE:F" /grant:r "*S-1-5-18:F" /grant:r "*S-1-5-32-544:F"
icacls "C:\Users\User_Profile\.ssh\id_rsa" /remove:g "*S-1-1-0"
icacls "C:\Users\User_Profile\.ssh\id_rsa"`
	if got != want {
		t.Errorf("fix:\n%s\nwant:\n%s", got, want)
	}
	// Inherited offenders: cut inheritance, after granting the user.
	d, _ := ParseSDDL(read(t, "sddl_inherited_users.txt"))
	me := User{SID: "S-1-5-21-1-2-3-1001"}
	got = strings.Join(FixCommands(`C:\k\id_ed25519`, Evaluate(d, me, PrivateKey), me, PrivateKey), "\n")
	if !strings.Contains(got, `/inheritance:r /grant:r "*S-1-5-21-1-2-3-1001:F"`) || strings.Contains(got, "/remove") {
		t.Errorf("inherited fix:\n%s", got)
	}
	// A bad owner: takeown first.
	d, _ = ParseSDDL("O:S-1-5-21-1-2-3-1002D:P(A;;FA;;;S-1-5-21-1-2-3-1001)")
	got = strings.Join(FixCommands(`C:\k\id`, Evaluate(d, me, PrivateKey), me, PrivateKey), "\n")
	if !strings.HasPrefix(got, `takeown /F "C:\k\id"`) {
		t.Errorf("owner fix:\n%s", got)
	}
	// Nothing wrong: nothing to run.
	d, _ = ParseSDDL("O:BAD:P(A;;FA;;;SY)")
	if f := FixCommands(`C:\k\id`, Evaluate(d, me, PrivateKey), me, PrivateKey); len(f) != 0 {
		t.Errorf("fix for a good file: %q", f)
	}
	if q := PSQuote(`C:\Users\a$b\k`); q != `'C:\Users\a$b\k'` {
		t.Errorf("PSQuote: %s", q)
	}
}

func FuzzParseSDDL(f *testing.F) {
	for _, n := range []string{"sddl_localservice_users.txt", "sddl_inherited_users.txt"} {
		f.Add(read(f, n))
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseSDDL(s); err == nil {
			Evaluate(d, User{SID: "S-1-5-21-1-1-1-1000"}, PrivateKey)
		}
	})
}

func FuzzParseIcacls(f *testing.F) {
	for _, n := range []string{"icacls_everyone_rx.txt", "icacls_owner_only.txt", "icacls_authorized_keys.txt"} {
		f.Add(read(f, n))
	}
	f.Fuzz(func(t *testing.T, s string) {
		if files, err := ParseIcacls(s); err == nil {
			for _, fl := range files {
				v := Evaluate(fl.Desc, User{}, PrivateKey)
				FixCommands(fl.Path, v, User{}, PrivateKey)
			}
		}
	})
}

func BenchmarkEvaluateSDDL(b *testing.B) {
	s := read(b, "sddl_localservice_users.txt")
	me := User{SID: "S-1-5-21-1-2-3-1001"}
	b.ReportAllocs()
	for b.Loop() {
		d, err := ParseSDDL(s)
		if err != nil {
			b.Fatal(err)
		}
		Evaluate(d, me, PrivateKey)
	}
}

func TestComplaintsCaptured(t *testing.T) {
	c := Complaints(read(t, "ssh_owner_rights.txt"))
	if len(c) != 1 || c[0].SID != SIDOwnerRights || c[0].Who != "OWNER RIGHTS" || c[0].Path != `C:\Path\To\TempDir\Keyfile` {
		t.Fatalf("%+v", c)
	}
	c = Complaints(read(t, "sshd_admin_keys_auth_users.txt"))
	if len(c) != 1 || c[0].SID != SIDAuthenticatedUsers || c[0].Who != `NT AUTHORITY\Authenticated Users` ||
		c[0].Path != "C:/ProgramData/ssh/administrators_authorized_keys" {
		t.Fatalf("%+v", c)
	}
	f := ComplaintFinding(c[0])
	if f.Code != "perm.ssh_file_acl" || len(f.Fixes) != 1 || f.Fixes[0].Key != "fix.icacls_admin_keys" {
		t.Fatalf("%+v", f)
	}
	if c := Complaints("Bad permissions. Try removing permissions for user: nobody on file x.\n"); len(c) != 0 {
		t.Fatalf("no SID: %+v", c)
	}
}

func BenchmarkParseIcacls(b *testing.B) {
	s := read(b, "icacls_everyone_rx.txt") + read(b, "icacls_owner_only.txt")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseIcacls(s); err != nil {
			b.Fatal(err)
		}
	}
}
