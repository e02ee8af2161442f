package offboard

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/engine"
)

// The report says what was done and, under the table, what is left and why.
// (Passwords in the report: TestOffboardSandboxSuspendReinstateIssuesPassword.)
func TestReportOutput(t *testing.T) {
	t.Parallel()
	failed := Row{Person: "bob", Account: "111122223333", UserName: "bob", Status: StatusRemoved, Found: 2}
	failed.record(engine.Result{Order: 1, Line: "access key AKIA1", Step: "delete-access-key:AKIA1", Err: errors.New("deleting IAM user (bob) access key (AKIA1): AccessDenied")})
	failed.record(engine.Result{Order: 0, Line: "login profile", Step: "delete-login-profile"})
	failed.finish(errors.New("deleting IAM user (bob): DeleteConflict"))
	rep := &Report{RunID: 7, Action: ActionReinstate, Accounts: 1, Rows: []Row{
		{Person: "alice@example.com", Account: "111122223333", UserName: "alice", Status: StatusReinstated, Found: 3, Done: []string{"access key AKIA2"},
			Delivery: "ses: sent"},
		failed,
		{Person: "carol", Account: "111122223333", UserName: "carol", Status: StatusProtected, Error: "protected by configuration (users: carol)"},
	}}
	var b bytes.Buffer
	if err := WriteReport(&b, FormatTable, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"DELIVERY", "PASSWORD", "ses: sent", "111122223333 bob: failed: deleting IAM user (bob): DeleteConflict",
		"  left: access key AKIA1: deleting IAM user (bob) access key (AKIA1): AccessDenied", "protected by configuration (users: carol)",
		"3 people in 1 account: 1 reinstated, 1 protected, 1 failed."} {
		if !strings.Contains(out, want) {
			t.Errorf("table does not say %q:\n%s", want, out)
		}
	}
	if failed.Done[0] != "login profile" || rep.OK() {
		t.Errorf("done %v, ok %v", failed.Done, rep.OK())
	}
	b.Reset()
	if err := WriteReport(&b, FormatJSON, rep); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rows []struct {
			Password string
			Left     []Left
		}
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil || got.Rows[0].Password != "" || len(got.Rows[1].Left) != 1 {
		t.Errorf("JSON %v\n%s", err, b.String())
	}
}
