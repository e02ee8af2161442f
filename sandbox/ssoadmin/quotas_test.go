package ssoadmin_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

// manyUsers is a fixture with n more users.
func manyUsers(n int) string {
	var b strings.Builder
	b.WriteString("identity_center:\n  users:\n")
	for i := range n {
		fmt.Fprintf(&b, "    - {user_name: u%02d, display_name: U %02d, given_name: U, family_name: \"%02d\"}\n", i, i, i)
	}
	return b.String()
}

// The 16th assignment operation while 15 are in progress is refused until
// one completes, and the inspection API shows the peak a client reached.
func TestAtMost15AssignmentOperationsInProgress(t *testing.T) {
	w := newIDC(t)
	w.sb.LoadFixture(t, manyUsers(16))
	ps, users := w.permissionSet(t, "ReadOnly"), make([]string, 16)
	for i := range users {
		users[i] = w.userID(t, fmt.Sprintf("u%02d", i))
	}
	w.setQuotas(t, `{"assignment_delay_ms": 1000}`)
	for i := range 15 {
		if _, err := w.admin.CreateAccountAssignment(ctx, assignment(ps, prod, "USER", users[i]), noRetries); err != nil {
			t.Fatalf("operation %d: %v", i+1, err)
		}
	}
	_, err := w.admin.CreateAccountAssignment(ctx, assignment(ps, prod, "USER", users[15]), noRetries)
	var te *types.ThrottlingException
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "too many requests processing") {
		t.Fatalf("the 16th operation: %v, want ThrottlingException", err)
	}
	q := w.quotas(t)
	if q.InProgress != 15 || q.Stats.PeakInProgress != 15 || q.Stats.RefusedInProgress != 1 || q.Quotas.MaxInProgress != 15 {
		t.Errorf("quotas = %+v", q)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := w.admin.CreateAccountAssignment(ctx, assignment(ps, prod, "USER", users[15]), noRetries); err != nil {
		t.Errorf("once the 15 completed: %v", err)
	}
}

// identitystore and sso-admin share one bucket per instance: a burst over
// it is throttled whichever API it goes to, and a client that retries (as
// the SDKs do) gets through.
func TestOneRateLimitForBothAPIs(t *testing.T) {
	w := newIDC(t)
	w.setQuotas(t, `{"requests_per_second": 5, "burst": 5}`)
	store := identitystore.NewFromConfig(w.sb.Config(mgmt), func(o *identitystore.Options) { o.RetryMaxAttempts = 1 })
	var ok, throttled int
	for i := range 12 {
		var err error
		if i%2 == 0 {
			_, err = store.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID)})
		} else {
			_, err = w.admin.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instance)}, noRetries)
		}
		var ist *istypes.ThrottlingException
		var sst *types.ThrottlingException
		switch {
		case err == nil:
			ok++
		case errors.As(err, &ist):
			throttled++
			if ist.RetryAfterSeconds != 1 {
				t.Errorf("identitystore's ThrottlingException RetryAfterSeconds = %v", ist.RetryAfterSeconds)
			}
		case errors.As(err, &sst):
			throttled++
		default:
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if ok < 5 || ok > 6 || ok+throttled != 12 {
		t.Errorf("%d went through and %d were throttled, want the burst of 5 (6 if a token came back)", ok, throttled)
	}
	if q := w.quotas(t); q.Stats.Throttled != throttled || q.Stats.Requests < 12 {
		t.Errorf("stats = %+v, want %d throttled", q.Stats, throttled)
	}
	// The SDK's retryer takes the throttling as retryable, backs off and
	// succeeds. Its jittered backoff can be a few milliseconds, shorter
	// than the 200 ms a token takes to come back, so it gets ten attempts
	// rather than three: three quick ones all throttled failed CI once.
	retrying := identitystore.NewFromConfig(w.sb.Config(mgmt), func(o *identitystore.Options) { o.RetryMaxAttempts = 10 })
	if _, err := retrying.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID)}); err != nil {
		t.Errorf("with retries: %v", err)
	}
}
