package deliver_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// The SES sender is checked against SES's identities before anyone is
// onboarded: the address or its domain must be verified there.
func TestSESPreflightChecksTheSender(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	verify(t, sb, "ops@example.com")
	verify(t, sb, "verified.example")
	for _, tt := range []struct {
		from    string
		wantErr string
	}{
		{"Ops <ops@example.com>", ""},
		{"anyone@verified.example", ""},
		{"stranger@example.com", "neither the address nor the domain example.com"},
		{"x@elsewhere.test", "is an identity in SES"},
	} {
		ch, err := deliver.New("ses", deliver.Deps{AWS: sb.Config(account), From: tt.from})
		if err != nil {
			t.Fatal(err)
		}
		err = deliver.Preflight(context.Background(), ch)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("from %s: %v", tt.from, err)
		case tt.wantErr != "" && (!errors.Is(err, deliver.ErrRejected) || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("from %s: err = %v, want a rejection with %q", tt.from, err, tt.wantErr)
		}
	}
}
