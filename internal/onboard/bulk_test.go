package onboard_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// A rerun that has nothing to do reads each account in bulk: 300 people in
// 3 accounts cost at most 10 requests per account, not four per person; and
// a rerun after drift — a group membership and a policy removed outside
// gatehouse — repairs exactly that.
func TestNoOpRerunReadsAccountsInBulk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	accounts := []string{mgmt, prod, dev}
	for _, a := range accounts {
		e.sb.LoadFixture(t, fmt.Sprintf("accounts:\n  %q:\n    groups: [{name: staff}]\n", a))
	}
	emails := make([]string, 300)
	for i := range emails {
		emails[i] = fmt.Sprintf("person%03d@example.com", i)
	}
	in, err := spec.FromArgs(emails, spec.Flags{Accounts: spec.Set(accounts), Groups: spec.Set([]string{"staff"}),
		Policies: spec.Set([]string{"ReadOnlyAccess"}), Deliver: spec.Set(spec.ChannelNone)})
	if err != nil {
		t.Fatal(err)
	}
	if rep := e.run(t, in); !rep.OK() || rep.Count(onboard.StatusCreated) != 900 {
		t.Fatalf("first run: %d created of %d", rep.Count(onboard.StatusCreated), len(rep.Rows))
	}

	e.sb.Delete(t, "requests")
	rep := e.run(t, in)
	if rep.Count(onboard.StatusUnchanged) != 900 {
		t.Fatalf("no-op rerun: %d unchanged of %d", rep.Count(onboard.StatusUnchanged), len(rep.Rows))
	}
	for _, a := range accounts {
		rc := e.sb.Requests(t, a)
		t.Logf("account %s: %d requests for the no-op rerun: %+v", a, rc.Total, rc.Counts)
		if rc.Total > 10 {
			t.Errorf("account %s: %d requests for a no-op rerun of 300 people, want at most 10: %+v", a, rc.Total, rc.Counts)
		}
	}

	ctx := context.Background()
	api := iam.NewFromConfig(e.sb.Config(prod))
	if _, err := api.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("staff"), UserName: aws.String("person007@example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"),
		UserName: aws.String("person123@example.com")}); err != nil {
		t.Fatal(err)
	}
	rep = e.run(t, in)
	var changed []string
	for _, row := range rep.Rows {
		if row.Status != onboard.StatusUnchanged {
			changed = append(changed, fmt.Sprintf("%s %s %s %v", row.Account, row.UserName, row.Status, row.Steps))
		}
	}
	want := []string{
		prod + " person007@example.com updated [add-to-group:staff]",
		prod + " person123@example.com updated [attach-policy:arn:aws:iam::aws:policy/ReadOnlyAccess]",
	}
	if !slices.Equal(changed, want) {
		t.Errorf("rerun after drift changed %q, want %q", changed, want)
	}
}
