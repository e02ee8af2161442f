package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// Settings that make no sense — a rate that is not a number, a region that
// is not a region's name — are bad input: exit 2, a message that names the
// flag, and no AWS call, in every command that takes them.
func TestBadSettingsExitTwoWithoutACall(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	commands := [][]string{
		{"onboard", "a@example.com", "--deliver", "none"},
		{"offboard", "alice"},
		{"deliver", "--resend", "a@example.com", "--deliver", "none"},
		{"audit"},
	}
	bad := []struct {
		flags []string
		want  string
	}{
		{[]string{"--rate-limit", "NaN"}, "--rate-limit"},
		{[]string{"--rate-limit", "+Inf"}, "--rate-limit"},
		{[]string{"--region", "us-east-1/../x"}, "--region"},
		{[]string{"--region", "US-EAST-1"}, "--region"},
	}
	for _, cmd := range commands {
		for _, b := range bad {
			args := append(append(append([]string{}, cmd...), b.flags...), "--endpoint-url", sb.URL, "--journal", t.TempDir()+"/j.db")
			streams, _, errb := testIO()
			if code := Main(context.Background(), streams, args); code != ExitUsage || !strings.Contains(errb.String(), b.want) {
				t.Errorf("%v: exit %d, stderr %q; want 2 naming %s", args, code, errb.String(), b.want)
			}
		}
	}
	if rc := sb.Requests(t, ""); rc.Total != 0 {
		t.Errorf("bad settings reached AWS: %+v", rc.Counts)
	}
}

// An archive folder that cannot be one is refused before any user is read:
// offboard --archive /dev/null used to fail only after discovery.
func TestOffboardArchiveNotAFolder(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	for _, dir := range []string{"/dev/null", "/dev/null/sub"} {
		streams, _, errb := testIO()
		args := []string{"offboard", "alice", "--yes", "--archive", dir, "--endpoint-url", sb.URL, "--journal", t.TempDir() + "/j.db"}
		if code := Main(context.Background(), streams, args); code != ExitUsage || !strings.Contains(errb.String(), "is not a folder") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
	if rc := sb.Requests(t, ""); rc.Total != 0 {
		t.Errorf("a bad archive folder reached AWS: %+v", rc.Counts)
	}
}

// A dry run (onboard --dry-run, the plan of offboard --reinstate) checks
// what the real run checks before its first change — here, a channel whose
// token is missing — and refuses what the real run would refuse.
func TestDryRunChecksWhatTheRunChecks(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	for _, args := range [][]string{
		{"onboard", "a@example.com", "--deliver", "slack", "--dry-run"},
		{"offboard", "a@example.com", "--reinstate", "--deliver", "slack"},
	} {
		streams, _, errb := testIO()
		streams.Getenv = func(string) string { return "" }
		args = append(args, "--endpoint-url", sb.URL, "--journal", t.TempDir()+"/j.db")
		if code := Main(context.Background(), streams, args); code != ExitUsage || !strings.Contains(errb.String(), "GATEHOUSE_SLACK_TOKEN") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming the missing token", args, code, errb.String())
		}
	}
	if n := sb.Requests(t, "").Total; n != 0 {
		t.Errorf("%d AWS requests before the channel check", n)
	}
}
