package iamuser

import "testing"

func TestPolicyARN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ partition, ref, want string }{
		{"aws", "ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		{"aws", "job-function/ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"},
		{"aws-cn", "IAMUserChangePassword", "arn:aws-cn:iam::aws:policy/IAMUserChangePassword"},
		{"aws", "arn:aws:iam::222222222222:policy/guardrails/Deny", "arn:aws:iam::222222222222:policy/guardrails/Deny"},
	} {
		if got := PolicyARN(tc.partition, tc.ref); got != tc.want {
			t.Errorf("PolicyARN(%s, %s) = %s, want %s", tc.partition, tc.ref, got, tc.want)
		}
	}
}
