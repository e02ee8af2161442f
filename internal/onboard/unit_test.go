package onboard

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := Secret{"Hunter2-Hunter2-Hunter2!"}
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "password", s, "row", Row{Password: s})
	j, _ := json.Marshal(struct{ P Secret }{s})
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x", s, s, s, s, s, s), fmt.Sprintf("%+v", Row{Password: s}),
		fmt.Sprintf("%#v", Row{Password: s}), logs.String(), string(j),
	} {
		if strings.Contains(out, "Hunter2") {
			t.Errorf("the secret shows: %s", out)
		}
	}
	if s.Reveal() != "Hunter2-Hunter2-Hunter2!" || (Secret{}).String() != "" {
		t.Error("Reveal or the empty secret is wrong")
	}
}

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
