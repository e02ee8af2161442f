package conformance

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/sandbox"
)

// invoked records every "service command" the suite ran through the CLI.
var invoked sync.Map

func recordInvocation(args []string) {
	if len(args) >= 2 {
		invoked.Store(args[0]+" "+args[1], true)
	}
}

// judgeCoverage fails the run (returns 1) when a supported action was never driven
// through the AWS CLI. A run that cannot be judged says so and why on a SKIP line,
// so a skipped suite neither fails the gate nor passes it unseen.
func judgeCoverage() int {
	if why := unjudgeable(); why != "" {
		fmt.Fprintf(os.Stderr, "SKIP: coverage gate of supported actions not judged: %s\n", why)
		return 0
	}
	if missing := untestedActions(); len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d supported actions were never driven through the AWS CLI:\n  %s\n", len(missing), strings.Join(missing, "\n  "))
		return 1
	}
	return 0
}

// unjudgeable says why this run cannot show that every action was driven, or "" when
// every test of the suite ran with the CLI.
func unjudgeable() string {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return fmt.Sprintf("-%s %q selects a part of the suite", strings.TrimPrefix(name, "test."), f.Value.String())
		}
	}
	if testing.Short() {
		return "-short"
	}
	if awsErr != nil {
		return "the tests that drive the AWS CLI were skipped: " + awsErr.Error()
	}
	return ""
}

// untestedActions lists the supported actions, by their CLI command names
// (botocore's xform_name), that no test drove through the AWS CLI, so an action
// (or a whole service, once it is listed in sandbox.Services) cannot be added
// untested. TestMain calls it after a full run.
func untestedActions() []string {
	var missing []string
	for _, svc := range sandbox.Services() {
		for _, api := range svc.APIs {
			for action := range api.Operations {
				// An API's ID is the AWS CLI's name for it (ses, sesv2, …).
				if _, ok := invoked.Load(api.ID + " " + cliCommand(action)); !ok {
					missing = append(missing, api.ID+" "+cliCommand(action))
				}
			}
		}
	}
	sort.Strings(missing)
	return missing
}

var (
	firstCap = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	endCap   = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

// cliCommand is botocore's xform_name with "-": CreateVirtualMFADevice → create-virtual-mfa-device.
func cliCommand(action string) string {
	s := firstCap.ReplaceAllString(action, "${1}-${2}")
	return strings.ToLower(endCap.ReplaceAllString(s, "${1}-${2}"))
}

func TestCLICommandNames(t *testing.T) {
	t.Parallel()
	for action, want := range map[string]string{
		"CreateUser":                       "create-user",
		"CreateVirtualMFADevice":           "create-virtual-mfa-device",
		"UploadSSHPublicKey":               "upload-ssh-public-key",
		"GetAccessKeyLastUsed":             "get-access-key-last-used",
		"ListOrganizationalUnitsForParent": "list-organizational-units-for-parent",
		"GetAccountAuthorizationDetails":   "get-account-authorization-details",
	} {
		if got := cliCommand(action); got != want {
			t.Errorf("cliCommand(%s) = %s, want %s", action, got, want)
		}
	}
}
