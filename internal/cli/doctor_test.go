package cli

import (
	"context"
	"slices"
	"testing"
)

// The flags land in DoctorOptions: the shared account, channel and
// password blocks, --for and -o, and the sandbox and AWS settings.
func TestDoctorFlags(t *testing.T) {
	t.Parallel()
	streams, _, _ := testIO()
	var got *DoctorOptions
	cmd := NewCmdDoctor(streams, func(_ context.Context, o *DoctorOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-f", "team.yaml", "--account", "222222222222,333333333333", "--role", "Provisioner", "--external-id", "ext-123456",
		"--deliver", "ses", "--from", "it@example.com", "--no-reset-required", "--for", "onboard,offboard", "-o", "json", "-v",
		"--sandbox", "--concurrency", "3"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	fl := got.Flags
	if got.File != "team.yaml" || !slices.Equal(fl.Accounts.Value, []string{"222222222222", "333333333333"}) || !fl.Accounts.Set ||
		fl.Role.Value != "Provisioner" || fl.ExternalID.Value != "ext-123456" || fl.Deliver.Value != "ses" || fl.From.Value != "it@example.com" ||
		!fl.ResetRequired.Set || fl.ResetRequired.Value || !slices.Equal(got.Features, []string{"onboard", "offboard"}) ||
		got.Output != "json" || !got.Verbose || !got.Sandbox || got.Concurrency != 3 {
		t.Errorf("options = %+v", got)
	}

	cmd = NewCmdDoctor(streams, func(_ context.Context, o *DoctorOptions) error { got = o; return nil })
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.File != "" || got.Output != "table" || !slices.Equal(got.Features, []string{"onboard"}) || got.Verbose || got.Flags.Deliver.Set {
		t.Errorf("defaults = %+v", got)
	}
}
