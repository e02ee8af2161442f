package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// resendRow is a row of deliver --resend's JSON report.
type resendRow struct {
	Account, UserName, Status, Delivery, Password, Error string
	Steps                                                []string
}

func resendJSON(t *testing.T, dir string, args ...string) []resendRow {
	t.Helper()
	code, out, errb := offboardRun(t, dir, false, "", "", append([]string{"deliver", "--resend", "-o", "json"}, args...)...)
	var rep struct{ Users []resendRow }
	if err := json.Unmarshal([]byte(out), &rep); code != ExitOK || err != nil {
		t.Fatalf("deliver --resend %v: exit %d %v\n%s\n%s", args, code, err, out, errb)
	}
	return rep.Users
}

func signsIn(t *testing.T, sb *sandboxtest.Sandbox, account, user, password string) bool {
	t.Helper()
	var got struct{ Valid bool }
	sb.Post(t, "iam/check-password", map[string]string{"account": account, "user": user, "password": password}, &got)
	return got.Valid
}

// A resend sets a fresh password (the last one stops working), delivers it,
// and changes nothing else; by e-mail with flags, or by name with the spec.
func TestDeliverResend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onboardTeam(t, dir)
	carol := []string{"carol.white@example.com", "--account", "333333333333", "--deliver", "none"}
	first := resendJSON(t, dir, carol...)
	second := resendJSON(t, dir, carol...)
	for _, rows := range [][]resendRow{first, second} {
		if len(rows) != 1 || rows[0].Password == "" || rows[0].Delivery != "none: in this output" ||
			strings.Join(rows[0].Steps, ",") != "update-login-profile,deliver:none" {
			t.Fatalf("resend rows = %+v, want one fresh password and nothing else", rows)
		}
	}
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		if signsIn(t, sb, "333333333333", "carol.white@example.com", first[0].Password) {
			t.Error("the password of the first resend still signs in after the second")
		}
		if !signsIn(t, sb, "333333333333", "carol.white@example.com", second[0].Password) {
			t.Error("the resent password does not sign in")
		}
	})

	// By the spec: bob's channel (ses) and accounts come from it.
	before, _ := filepath.Glob(filepath.Join(dir, "mail", "bob.jones*.eml"))
	rows := resendJSON(t, dir, "-f", teamExample, "bob.jones@example.com")
	after, _ := filepath.Glob(filepath.Join(dir, "mail", "bob.jones*.eml"))
	if len(rows) == 0 || len(after) != len(before)+len(rows) {
		t.Fatalf("resend by spec: %+v; mail before %d, after %d", rows, len(before), len(after))
	}
	for _, r := range rows {
		if r.Password != "" || !strings.HasPrefix(r.Delivery, "ses: sent") {
			t.Errorf("resend by ses: row %+v", r)
		}
	}
}

func TestDeliverResendNeverCreates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onboardTeam(t, dir)
	code, out, errb := offboardRun(t, dir, false, "", "", "deliver", "--resend", "nobody@example.com", "--account", "333333333333", "--deliver", "none")
	if code != ExitFailed || !strings.Contains(out, "a resend never creates one") {
		t.Fatalf("resend to a stranger: exit %d\n%s\n%s", code, out, errb)
	}
}

func TestDeliverUsage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no action", []string{"deliver", "alice@example.com"}, "--resend"},
		{"nobody", []string{"deliver", "--resend"}, "name the users"},
		{"not in the spec", []string{"deliver", "--resend", "-f", teamExample, "zed@example.com"}, "not in the spec: zed@example.com"},
		{"bad address", []string{"deliver", "--resend", "not-an-address"}, "not-an-address"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			streams, out, errb := testIO()
			if code := Main(t.Context(), streams, tt.args); code != ExitUsage || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q, want 2 and %q (stdout %q)", code, errb, tt.want, out)
			}
		})
	}
}
