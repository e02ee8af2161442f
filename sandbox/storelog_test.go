package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
)

// logWorld has a role to assume and a verified sender, so a workload can
// reach every kind of state: accounts, users and their parts, groups,
// credentials, sessions and mail.
const logWorld = `
accounts:
  "111111111111":
    ses_identities:
      eu-west-1: [noreply@example.com]
    roles:
      - name: admin
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "sts:AssumeRole"}]}
    groups: [{name: staff}]
`

// mixedWorkload changes every kind of state through the APIs.
func mixedWorkload(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	cfg := sdkConfig(url, "111111111111", "s", "")
	admin := iam.NewFromConfig(cfg)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for _, name := range []string{"alice", "bob", "carol"} {
		_, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
		must("CreateUser "+name, err)
	}
	_, err := admin.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("staff")})
	must("AddUserToGroup", err)
	_, err = admin.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Correct-Horse-9!x"), PasswordResetRequired: true})
	must("CreateLoginProfile", err)
	_, err = admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	must("CreateAccessKey", err)
	_, err = admin.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("carol")})
	must("DeleteUser", err)
	_, err = admin.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("staff"), NewGroupName: aws.String("people")})
	must("UpdateGroup", err)
	_, err = admin.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("logged")})
	must("CreateAccountAlias", err)
	_, err = iam.NewFromConfig(sdkConfig(url, "222222222222", "s", "")).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("elsewhere")})
	must("CreateUser in a second account", err)
	_, err = sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/admin"), RoleSessionName: aws.String("log")})
	must("AssumeRole", err)
	_, err = ses.NewFromConfig(cfg).SendEmail(ctx, &ses.SendEmailInput{Source: aws.String("noreply@example.com"),
		Destination: &sestypes.Destination{ToAddresses: []string{"x@example.org"}},
		Message:     &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("hi")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("hello")}}}})
	must("SendEmail", err)
}

func stateJSON(t *testing.T, url, token string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/_sandbox/state", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp := sendRaw(t, req)
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return buf.Bytes()
}

// TestKilledSandboxRestartsWithEverythingAcknowledged: without Close (as
// after kill -9), what is on disk — the snapshot and its log — is the world
// the sandbox served, for every kind of state.
func TestKilledSandboxRestartsWithEverythingAcknowledged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, err := New(Options{StateDir: dir, Fixture: writeFixture(t, logWorld)})
	if err != nil {
		t.Fatal(err)
	}
	first := httpServe(t, srv)
	mixedWorkload(t, first)
	served := stateJSON(t, first, "")

	if info, _ := os.Stat(filepath.Join(dir, logFile)); info == nil || info.Size() < 1000 {
		t.Fatalf("the workload left no change log: %v", info)
	}
	w := readState(t, dir)
	onDisk, _ := w.Snapshot()
	if !bytes.Equal(onDisk, served) {
		t.Errorf("the snapshot and its log hold\n%s\nthe sandbox served\n%s", onDisk, served)
	}
	second, stop := serveDir(t, dir, Options{})
	defer stop()
	if restarted := stateJSON(t, second, ""); !bytes.Equal(restarted, served) {
		t.Errorf("the restarted sandbox serves\n%s\nwant\n%s", restarted, served)
	}
	if log, _ := os.ReadFile(filepath.Join(dir, logFile)); bytes.Count(log, []byte("\n")) != 1 {
		t.Errorf("the restart did not fold the log into the snapshot: %d lines left", bytes.Count(log, []byte("\n")))
	}
}

func httpServe(t *testing.T, srv *Server) string {
	t.Helper()
	return "http://" + serveWith(t, srv)
}

// TestCutShortLogTailIsNotAnError: a record a crash cut short was never
// acknowledged; the sandbox starts without it.
func TestCutShortLogTailIsNotAnError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url, stop := serveDir(t, dir, Options{})
	if _, err := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", "")).CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	appendToLog(t, dir, `0badc0de {"accounts":{"1111`)
	if _, ok := iamstate.Of(readState(t, dir).LookupAccount("111111111111")).Users.Get("kept"); !ok {
		t.Error("the acknowledged user is lost behind a cut-short record")
	}
	defer stop() // the server stays up meanwhile: the files are what a kill would leave
	url, stop2 := serveDir(t, dir, Options{})
	defer stop2()
	if got := userNames(t, url, "111111111111"); strings.Join(got, ",") != "kept" {
		t.Errorf("users after the restart = %v", got)
	}
}

// TestGarbledLogMiddleRefusesToStart: good records after a garbled one mean
// the log is damaged, not cut short; starting would drop what follows.
func TestGarbledLogMiddleRefusesToStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url, stop := serveDir(t, dir, Options{})
	client := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", ""))
	if _, err := client.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("one")}); err != nil {
		t.Fatal(err)
	}
	appendToLog(t, dir, "0badc0de {}\n")
	if _, err := client.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("two")}); err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := New(Options{StateDir: dir}); err == nil || !strings.Contains(err.Error(), logFile) || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("New on a log garbled in the middle: %v, want an error naming %s", err, logFile)
	}
}

// TestLogOfAnEarlierSnapshotIsNotReplayed: a crash between writing a
// checkpoint and starting its log leaves the old log; its records are in the
// new snapshot already and replaying them would undo later changes.
func TestLogOfAnEarlierSnapshotIsNotReplayed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url, stop := serveDir(t, dir, Options{})
	if _, err := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", "")).CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("removed-later")}); err != nil {
		t.Fatal(err)
	}
	defer stop()
	w := readState(t, dir)
	w.Lock()
	iamstate.Of(w.Account("111111111111")).Users.Delete("removed-later")
	w.Unlock()
	later, _ := w.Snapshot()
	if err := writeFileAtomic(filepath.Join(dir, stateFile), later); err != nil {
		t.Fatal(err)
	}
	if _, ok := iamstate.Of(readState(t, dir).LookupAccount("111111111111")).Users.Get("removed-later"); ok {
		t.Error("the log of the earlier snapshot was replayed on the later one")
	}
}

// TestLogIsFoldedIntoTheSnapshotWhenItOutgrowsIt and when the sandbox stops.
func TestLogIsFoldedIntoTheSnapshotWhenItOutgrowsIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, err := New(Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	srv.store.logFloor = 0 // fold as soon as the log is twice the snapshot
	url := httpServe(t, srv)
	client := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", ""))
	for i := range 30 {
		if _, err := client.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%02d", i))}); err != nil {
			t.Fatal(err)
		}
		snap, _ := os.Stat(filepath.Join(dir, stateFile))
		log, _ := os.Stat(filepath.Join(dir, logFile))
		if log.Size() > 2*snap.Size()+4096 {
			t.Fatalf("after %d users the log is %d bytes beside a %d-byte snapshot", i+1, log.Size(), snap.Size())
		}
	}
	if n := iamstate.Of(readState(t, dir).LookupAccount("111111111111")).Users.Len(); n != 30 {
		t.Errorf("%d users on disk, want 30", n)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, stateFile))
	w := NewWorld()
	if err := json.Unmarshal(data, w); err != nil || iamstate.Of(w.LookupAccount("111111111111")).Users.Len() != 30 {
		t.Errorf("after Close, state.json alone does not hold the 30 users (%v)", err)
	}
}

func appendToLog(t *testing.T, dir, s string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, logFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}
