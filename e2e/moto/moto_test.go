// Package moto_test runs gatehouse against moto_server, a backend nobody here
// wrote and many teams rehearse on (LocalStack is moto inside): what works
// there must work, and what moto lacks must stop fast with a message that
// says how to proceed.
package moto_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

var (
	binary     string
	moto       *harness.Moto
	motoAbsent error
)

func TestMain(m *testing.M) {
	moto, motoAbsent = harness.StartMoto("MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	if motoAbsent != nil {
		fmt.Fprintf(os.Stderr, "e2e/moto: skipping the moto suite: %v\n", motoAbsent)
		os.Exit(m.Run())
	}
	var cleanup func()
	var err error
	binary, cleanup, err = harness.Build("gatehouse-moto-")
	if err != nil {
		moto.Stop()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	moto.Stop()
	os.Exit(code)
}

// Seed 000's input onboards against moto with --deliver none; offboarding
// that user stops within seconds, naming the action moto lacks and the
// flag that proceeds; with the kind left unchecked, the user is removed and
// the report says the kind was not checked.
func TestSeed000OnMoto(t *testing.T) {
	if moto == nil {
		t.Skipf("moto_server unavailable: %v", motoAbsent)
	}
	ctx := context.Background()
	api := iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(moto.URL),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")})
	if _, err := api.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("NoAuthorityIAMGroup")}); err != nil {
		t.Fatal(err)
	}
	gh := harness.NewGatehouse(t, binary, t.TempDir(), "testing")
	seed, err := filepath.Abs(filepath.Join("..", "..", "examples", "onboard", "seed000.json"))
	if err != nil {
		t.Fatal(err)
	}
	at := []string{"--endpoint-url", moto.URL}
	on := gh.MustRun(t, 0, append([]string{"onboard", "-f", seed, "--deliver", "none"}, at...)...)
	if !strings.Contains(on.Stdout, "2 people in 1 account: 2 created.") {
		t.Fatalf("onboarding on moto:\n%s\n%s", on.Stdout, on.Stderr)
	}

	user := "flupino@metalmental.net"
	stopped := gh.MustRun(t, 1, append([]string{"offboard", user, "--yes"}, at...)...)
	out := stopped.Stdout + stopped.Stderr
	if stopped.Took > 10*time.Second || !strings.Contains(out, "ListServiceSpecificCredentials") ||
		!strings.Contains(out, "--unchecked service-specific-credentials") {
		t.Fatalf("offboarding where moto lacks an action took %v:\n%s", stopped.Took, out)
	}
	t.Logf("stopped after %v", stopped.Took.Round(time.Millisecond))

	done := gh.MustRun(t, 0, append([]string{"offboard", user, "--yes", "--unchecked", "service-specific-credentials"}, at...)...)
	if !strings.Contains(done.Stdout, "removed") || !strings.Contains(done.Stdout, "not checked: service-specific credentials") {
		t.Fatalf("offboarding with the kind unchecked:\n%s\n%s", done.Stdout, done.Stderr)
	}
	_, err = api.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(user)})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Errorf("the user is still in moto: %v", err)
	}
}
