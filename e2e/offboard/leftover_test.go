package offboard_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// refusing is a proxy in front of the sandbox that answers one IAM action
// with AccessDenied, as IAM does when the role gatehouse assumes lacks that
// permission; every other request goes through.
type refusing struct {
	URL     string
	refused atomic.Int64
}

func refuse(t *testing.T, sb *sandbox, action string) *refusing {
	t.Helper()
	target, err := url.Parse(sb.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &refusing{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") == action {
			p.refused.Add(1)
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>`+
				`<Code>AccessDenied</Code><Message>User is not authorized to perform: iam:`+action+`</Message></Error>`+
				`<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// A virtual MFA device that a removal deactivated but could not delete must
// be deleted by the next run (README: "A virtual device an interrupted run
// deactivated but did not delete is found through the archive and deleted by
// the next run"). Here DeleteVirtualMFADevice is refused once (the role
// lacked iam:DeleteVirtualMFADevice); the first run still deletes the user,
// since an unassigned device does not keep IAM from doing so, and reports
// the device as left. The permission is then fixed and the same command run
// again. Every way of naming the person must converge: by user name, by
// e-mail address for a user whose name is not the address (onboarding's
// user_name, found through the gatehouse:email tag), and by tag.
func TestVirtualMFALeftoverDeletedByRerun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		selector []string
	}{
		{"by user name", []string{"Person.Ops"}},
		{"by e-mail address", []string{"person.ops@example.com"}},
		{"by tag", []string{"--tag", "team=ops"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			fixture := filepath.Join(dir, "world.yaml")
			err := os.WriteFile(fixture, []byte(`accounts:
  "111111111111":
    users:
      - name: Person.Ops
        tags: {"gatehouse:managed-by": gatehouse, "gatehouse:email": person.ops@example.com, team: ops}
        login_profile: {password: "Old-Password-123!"}
        access_keys: [{}]
        mfa_devices: [{type: virtual, name: person-ops-phone}]
`), 0o600)
			if err != nil {
				t.Fatal(err)
			}
			sb := startSandbox(t, fixture, filepath.Join(dir, "sandbox.log"))
			gh := newGatehouse(t, filepath.Join(dir, "home"))
			args := append([]string{"offboard"}, tc.selector...)
			args = append(args, "--account", management, "--yes", "--journal", filepath.Join(dir, "journal.db"),
				"--archive", filepath.Join(dir, "archive"))

			proxy := refuse(t, sb, "DeleteVirtualMFADevice")
			first := gh.Run(t, append(args, "--endpoint-url", proxy.URL)...)
			if proxy.refused.Load() == 0 {
				t.Fatalf("the first run never tried DeleteVirtualMFADevice (exit %d):\n%s%s", first.Code, first.Stdout, first.Stderr)
			}
			if first.Code != 1 {
				t.Errorf("the first run, with the device not deleted, exited %d, want 1:\n%s", first.Code, first.Stdout)
			}
			t.Logf("first run (DeleteVirtualMFADevice refused): exit %d; user still there: %v; virtual devices: %v",
				first.Code, sb.world(t).user(management, "Person.Ops") != nil, virtualDevices(t, sb, management))

			second := gh.Run(t, append(args, "--endpoint-url", sb.URL)...)
			devices := virtualDevices(t, sb, management)
			if len(devices) != 0 || second.Code != 0 {
				t.Errorf("after the rerun with the permission fixed: exit %d, virtual MFA devices %v, want exit 0 and none\n"+
					"report of the rerun:\n%s", second.Code, devices, harness.Tail(second.Stdout, 20))
			}
			if sb.world(t).user(management, "Person.Ops") != nil {
				t.Errorf("the user is still there after the rerun")
			}
		})
	}
}

// virtualDevices lists the account's virtual MFA devices, assigned or not.
func virtualDevices(t *testing.T, sb *sandbox, account string) []string {
	t.Helper()
	var out []string
	pages := iam.NewListVirtualMFADevicesPaginator(sb.iam(account), &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeAny})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.VirtualMFADevices {
			s := *d.SerialNumber
			if d.User == nil {
				s += " (unassigned)"
			}
			out = append(out, s[strings.LastIndex(s, "/")+1:])
		}
	}
	return out
}
