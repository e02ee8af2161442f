package deliver

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// fakeIdentities answers GetEmailIdentity from a table and records the calls.
type fakeIdentities struct {
	identities map[string]*sesv2.GetEmailIdentityOutput
	calls      []string
}

func (f *fakeIdentities) GetEmailIdentity(_ context.Context, in *sesv2.GetEmailIdentityInput, _ ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error) {
	id := aws.ToString(in.EmailIdentity)
	f.calls = append(f.calls, id)
	if out, ok := f.identities[id]; ok {
		return out, nil
	}
	return nil, &types.NotFoundException{Message: aws.String("Email identity " + id + " does not exist.")}
}

// Backends that record an identity as verified (VerificationStatus SUCCESS)
// yet not for sending (VerifiedForSendingStatus false) must get a message
// that names the field that failed, not "not verified (status SUCCESS)".
func TestSESPreflightNamesTheFieldThatFailed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		out      *sesv2.GetEmailIdentityOutput
		want     []string
		mustNot  []string
		rejected bool
	}{
		{"verified but not for sending",
			&sesv2.GetEmailIdentityOutput{VerificationStatus: types.VerificationStatusSuccess, VerifiedForSendingStatus: false},
			[]string{"VerifiedForSendingStatus is false", "VerificationStatus is SUCCESS", "ops@example.com"},
			[]string{"not verified for sending yet (status SUCCESS)"}, true},
		{"pending verification",
			&sesv2.GetEmailIdentityOutput{VerificationStatus: types.VerificationStatusPending, VerifiedForSendingStatus: false},
			[]string{"VerifiedForSendingStatus is false", "VerificationStatus is PENDING", "finish its verification"},
			nil, true},
		{"verified for sending",
			&sesv2.GetEmailIdentityOutput{VerificationStatus: types.VerificationStatusSuccess, VerifiedForSendingStatus: true},
			nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, _ := newFakeSES(t, Deps{From: "Ops <ops@example.com>"}, nil)
			ids := &fakeIdentities{identities: map[string]*sesv2.GetEmailIdentityOutput{"ops@example.com": tt.out}}
			ch.identities = ids
			err := ch.Preflight(context.Background())
			if !tt.rejected {
				if err != nil {
					t.Fatalf("Preflight = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("Preflight = %v, want a rejection", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, w := range tt.mustNot {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q contradicts itself: %q", err, w)
				}
			}
			if strings.Join(ids.calls, ",") != "ops@example.com" {
				t.Errorf("GetEmailIdentity calls %v, want the address alone", ids.calls)
			}
		})
	}
}
