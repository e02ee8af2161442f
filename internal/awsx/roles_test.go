package awsx

import (
	"testing"

	"golang.org/x/time/rate"

	"github.com/gatehouse/gatehouse/internal/spec"
)

func TestRoleARN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		role      spec.Role
		partition string
		want      string
	}{
		{spec.Role{Name: "OrganizationAccountAccessRole"}, "aws", "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"},
		{spec.Role{Name: "/ops/Gatehouse/"}, "aws", "arn:aws:iam::222222222222:role/ops/Gatehouse"},
		{spec.Role{Name: "Gatehouse"}, "aws-cn", "arn:aws-cn:iam::222222222222:role/Gatehouse"},
		{spec.Role{ARNTemplate: "arn:aws-us-gov:iam::{account}:role/x/Y"}, "aws", "arn:aws-us-gov:iam::222222222222:role/x/Y"},
		{spec.Role{ARNTemplate: "arn:{partition}:iam::{account}:role/Y"}, "aws-cn", "arn:aws-cn:iam::222222222222:role/Y"},
	} {
		if got := RoleARN(tc.role, tc.partition, "222222222222"); got != tc.want {
			t.Errorf("RoleARN(%+v, %s) = %s, want %s", tc.role, tc.partition, got, tc.want)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	t.Parallel()
	o := Options{}.withDefaults()
	if o.RequestsPerSecond != 0 || o.Burst != DefaultBurst || o.MaxAttempts != DefaultMaxAttempts ||
		o.BaseDelay != DefaultBaseDelay || o.MaxBackoff != DefaultMaxBackoff || o.Role.SessionName != DefaultSessionName {
		t.Errorf("defaults = %+v", o)
	}
	if o := (Options{RequestsPerSecond: 5}).withDefaults(); o.Burst != DefaultBurst {
		t.Errorf("burst for 5/s = %d, want %d", o.Burst, DefaultBurst)
	}
	if o := (Options{RequestsPerSecond: 500}).withDefaults(); o.Burst != 500 {
		t.Errorf("burst for 500/s = %d, want one second's worth", o.Burst)
	}
	if lim := newLimiter(Options{RequestsPerSecond: -1}.withDefaults()); lim.Limit() != rate.Inf {
		t.Errorf("a negative rate is not unlimited: %v", lim.Limit())
	}
}
