package iamuser

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/gatehouse/gatehouse/internal/engine"
)

const (
	virtualSerial  = "arn:aws:iam::111122223333:mfa/alice-phone"
	hardwareSerial = "GAHT12345678"
	passkeySerial  = "arn:aws:iam::111122223333:u2f/user/alice/alice-key-ABCDEF"
)

// fullRecord is a user with every kind of dependency, three items of the
// listed kinds so listings take two pages.
func fullRecord() *Record {
	r := newRecord("111122223333", "alice")
	r.User = User{UserName: "alice", UserID: "AIDAALICE", Arn: "arn:aws:iam::111122223333:user/alice", Path: "/",
		PermissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess", Tags: []Tag{{engine.TagManagedBy, engine.ManagedByValue}}}
	r.LoginProfile = &LoginProfile{}
	r.AccessKeys = []AccessKey{{AccessKeyID: "AKIA1", Status: "Active"}, {AccessKeyID: "AKIA2", Status: "Inactive"}}
	r.SSHPublicKeys = []SSHPublicKey{{SSHPublicKeyID: "APKA1", Status: "Active"}, {SSHPublicKeyID: "APKA2", Status: "Active"}, {SSHPublicKeyID: "APKA3", Status: "Inactive"}}
	r.SigningCertificates = []SigningCertificate{{CertificateID: "CERT1", Status: "Active"}}
	r.ServiceSpecificCredentials = []ServiceSpecificCredential{{ServiceSpecificCredentialID: "ACCA1", ServiceName: "codecommit.amazonaws.com", Status: "Active"},
		{ServiceSpecificCredentialID: "ACCA2", ServiceName: "cassandra.amazonaws.com", Status: "Active"},
		{ServiceSpecificCredentialID: "ACCA3", ServiceName: "bedrock.amazonaws.com", Status: "Inactive"}}
	r.MFADevices = []MFADevice{{SerialNumber: virtualSerial, Type: MFAVirtual, Assigned: true},
		{SerialNumber: hardwareSerial, Type: MFAHardware, Assigned: true}, {SerialNumber: passkeySerial, Type: MFAPasskey, Assigned: true}}
	r.Groups = []Group{{GroupName: "developers"}, {GroupName: "on-call"}, {GroupName: "readers"}}
	r.InlinePolicies = []InlinePolicy{{PolicyName: "s3", PolicyDocument: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a b+c/*"}]}`)}}
	r.AttachedPolicies = []AttachedPolicy{{PolicyName: "ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess"}}
	return r
}

func newSession(f *fakeIAM) *session {
	return &session{api: f, user: "alice", backoff: func(int) time.Duration { return 0 }}
}

func apiError(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: code + " (test)"}
}

// indexOf is the position of c in calls, or -1.
func indexOf(calls []fakeCall, c fakeCall) int { return slices.Index(calls, c) }

// The table's order: every MFA device is deactivated, and only the virtual
// one is then passed to DeleteVirtualMFADevice, after its deactivation
// finished; DeleteUser comes after every removal finished; GetUser checks it
// is gone last.
func TestRemovalOrder(t *testing.T) {
	t.Parallel()
	rec := fullRecord()
	deleted := false
	f := &fakeIAM{rec: rec, hook: func(c fakeCall) error {
		switch c.Method {
		case "DeactivateMFADevice":
			time.Sleep(20 * time.Millisecond) // a deletion that did not wait would start meanwhile
		case "DeleteUser":
			deleted = true
		}
		if c.Method == "GetUser" && deleted {
			return &iamtypes.NoSuchEntityException{Message: aws.String("gone")}
		}
		return nil
	}}
	var changes []engine.Result
	var mu sync.Mutex
	err := removeUser(context.Background(), newSession(f), rec, func(c engine.Result) { mu.Lock(); changes = append(changes, c); mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	started, _ := f.log()
	for _, serial := range []string{virtualSerial, hardwareSerial, passkeySerial} {
		if indexOf(started, fakeCall{"DeactivateMFADevice", serial}) < 0 {
			t.Errorf("%s was not deactivated", serial)
		}
	}
	var deletes []string
	for _, c := range started {
		if c.Method == "DeleteVirtualMFADevice" {
			deletes = append(deletes, c.ID)
		}
	}
	if !slices.Equal(deletes, []string{virtualSerial}) {
		t.Errorf("DeleteVirtualMFADevice called for %v, want only the virtual device", deletes)
	}
	assertBefore(t, f, fakeCall{"DeactivateMFADevice", virtualSerial}, fakeCall{"DeleteVirtualMFADevice", virtualSerial})
	for _, c := range started {
		if c.Method != "DeleteUser" && c.Method != "GetUser" {
			assertBefore(t, f, c, fakeCall{"DeleteUser", "alice"})
		}
	}
	if last := started[len(started)-1]; last != (fakeCall{"GetUser", "alice"}) {
		t.Errorf("the last call is %v, want the GetUser that verifies", last)
	}
	if len(changes) != 20+2 { // 3+1 MFA, login, 2 keys, 3 SSH, 1 cert, 3 credentials, 3 groups, 1 inline, 1 managed, boundary; user; verify
		t.Errorf("%d changes noted: %+v", len(changes), changes)
	}
}

// assertBefore checks that a finished before b started.
func assertBefore(t *testing.T, f *fakeIAM, a, b fakeCall) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	fa, okA := f.seqFinished[a]
	sb, okB := f.seqStarted[b]
	if !okA || !okB || fa > sb {
		t.Errorf("%v started (%d) before %v finished (%d)", b, sb, a, fa)
	}
}

// The independent kinds are removed at once: every first-stage call must be
// in flight together before any may finish (a removal one after another
// would never get past the first call).
func TestRemovalRunsKindsAtOnce(t *testing.T) {
	t.Parallel()
	rec := fullRecord()
	stage1 := len(plannedJobs(rec)) - 1 // all but the virtual device's deletion
	var arrived atomic.Int64
	all := make(chan struct{})
	f := &fakeIAM{rec: rec, hook: func(c fakeCall) error {
		switch c.Method {
		case "DeleteVirtualMFADevice", "DeleteUser", "GetUser":
			if c.Method == "GetUser" {
				return &iamtypes.NoSuchEntityException{Message: aws.String("gone")}
			}
			return nil
		}
		if arrived.Add(1) == int64(stage1) {
			close(all)
		}
		select {
		case <-all:
			return nil
		case <-time.After(5 * time.Second):
			return errors.New("not every kind was in flight at once")
		}
	}}
	if err := removeUser(context.Background(), newSession(f), rec, func(engine.Result) {}); err != nil {
		t.Fatal(err)
	}
	if n := arrived.Load(); n != int64(stage1) {
		t.Errorf("%d first-stage calls, want %d", n, stage1)
	}
}

// IAM refuses to delete a login profile for a while after it was set
// (EntityTemporarilyUnmodifiable): the removal waits and tries again.
func TestLoginProfileRetriesWhileUnmodifiable(t *testing.T) {
	t.Parallel()
	var tries atomic.Int64
	f := &fakeIAM{rec: fullRecord(), hook: func(c fakeCall) error {
		if c.Method == "DeleteLoginProfile" && tries.Add(1) < 3 {
			return &iamtypes.EntityTemporarilyUnmodifiableException{Message: aws.String("try later")}
		}
		return nil
	}}
	if err := loginProfile.remove(context.Background(), newSession(f), Item{}); err != nil || tries.Load() != 3 {
		t.Errorf("err %v after %d tries, want success after 3", err, tries.Load())
	}
	tries.Store(-100) // never stops refusing
	err := loginProfile.remove(context.Background(), newSession(f), Item{})
	var busy *iamtypes.EntityTemporarilyUnmodifiableException
	if !errors.As(err, &busy) || tries.Load() != -100+maxUnmodifiableRetries+1 {
		t.Errorf("err %v after %d tries", err, tries.Load()+100)
	}
}

// NoSuchEntity at any step means that step is done.
func TestNoSuchEntityIsDone(t *testing.T) {
	t.Parallel()
	rec := fullRecord()
	f := &fakeIAM{rec: rec, hook: func(c fakeCall) error {
		if strings.HasPrefix(c.Method, "Delete") || strings.HasPrefix(c.Method, "Deactivate") || c.Method == "GetUser" {
			return &iamtypes.NoSuchEntityException{Message: aws.String("gone")}
		}
		return nil
	}}
	var failed []engine.Result
	err := removeUser(context.Background(), newSession(f), rec, func(c engine.Result) {
		if c.Err != nil {
			failed = append(failed, c)
		}
	})
	if err != nil || len(failed) != 0 {
		t.Errorf("err %v, failed %+v", err, failed)
	}
}

// Each entry's error message names its own kind and the item — built from the
// entry's name, never a copied format string (how terraform came to report
// SSH keys as "access keys").
func TestErrorMessagesNameTheirKind(t *testing.T) {
	t.Parallel()
	rec := fullRecord()
	for _, d := range removalTable {
		items := d.items(rec)
		if len(items) == 0 {
			t.Fatalf("%s: the record has none", d.name)
		}
		err := d.fail(gerund(d.action), "alice", items[0], apiError("AccessDenied"))
		want := gerund(d.action) + " IAM user (alice) " + d.name
		if items[0].ID != "" {
			want += " (" + items[0].ID + ")"
		}
		if !strings.HasPrefix(err.Error(), want+": ") {
			t.Errorf("%s: %q does not begin with %q", d.name, err, want)
		}
	}
	// And through the engine: the access key's failure is reported as the access key's.
	f := &fakeIAM{rec: rec, hook: func(c fakeCall) error {
		switch c.Method {
		case "DeleteSSHPublicKey":
			return apiError("AccessDenied")
		case "DeleteUser":
			return apiError("DeleteConflict")
		}
		return nil
	}}
	var left []string
	var mu sync.Mutex
	err := removeUser(context.Background(), newSession(f), rec, func(c engine.Result) {
		if c.Err != nil {
			mu.Lock()
			left = append(left, c.Err.Error())
			mu.Unlock()
		}
	})
	if err == nil || !strings.HasPrefix(err.Error(), "deleting IAM user (alice): ") || !strings.Contains(err.Error(), "DeleteConflict") {
		t.Errorf("err %v", err)
	}
	for _, l := range left {
		if strings.Contains(l, "AccessDenied") && !strings.HasPrefix(l, "deleting IAM user (alice) SSH public key (APKA") {
			t.Errorf("an SSH key failure reads %q", l)
		}
	}
	if n := countCalls(f, "DeleteUser"); n != 2 {
		t.Errorf("DeleteUser tried %d times, want 2 (a second pass after DeleteConflict)", n)
	}
}

func countCalls(f *fakeIAM, method string) int {
	started, _ := f.log()
	n := 0
	for _, c := range started {
		if c.Method == method {
			n++
		}
	}
	return n
}

// Discovery reads every kind, every page, service-specific credentials of
// every service, and inline documents URL-decoded.
func TestDiscoveryReadsEverything(t *testing.T) {
	t.Parallel()
	want := fullRecord()
	f := &fakeIAM{rec: want}
	got, err := discover(context.Background(), newSession(f), want.Account)
	if err != nil {
		t.Fatal(err)
	}
	started, _ := f.log()
	for _, c := range started {
		if c.Method == "ListServiceSpecificCredentials" && !strings.HasPrefix(c.ID, "|") {
			t.Errorf("listed service-specific credentials of one service only: %v", c)
		}
	}
	if !slices.Contains(started, fakeCall{"ListServiceSpecificCredentials", "|2"}) || !slices.Contains(started, fakeCall{"ListSSHPublicKeys", "2"}) {
		t.Errorf("second pages not read: %v", started)
	}
	if len(got.SSHPublicKeys) != 3 || len(got.ServiceSpecificCredentials) != 3 || len(got.MFADevices) != 3 || len(got.Groups) != 3 ||
		got.SSHPublicKeys[2].SSHPublicKeyBody != "ssh-ed25519 AAAA APKA3" || got.AccessKeys[0].LastUsed == nil ||
		got.LoginProfile == nil || got.User.PermissionsBoundary == "" {
		t.Errorf("discovered %+v", got)
	}
	if string(got.InlinePolicies[0].PolicyDocument) != string(want.InlinePolicies[0].PolicyDocument) {
		t.Errorf("inline document %s, want %s", got.InlinePolicies[0].PolicyDocument, want.InlinePolicies[0].PolicyDocument)
	}
	types := map[string]string{}
	for _, d := range got.MFADevices {
		types[d.SerialNumber] = d.Type
	}
	if types[virtualSerial] != MFAVirtual || types[hardwareSerial] != MFAHardware || types[passkeySerial] != MFAPasskey {
		t.Errorf("MFA types %v", types)
	}
}

// Suspending deactivates only what is active; reinstating reactivates
// exactly the suspension's items.
func TestSuspensionTouchesOnlyActiveCredentials(t *testing.T) {
	t.Parallel()
	rec := fullRecord()
	plan := suspensionOf(rec)
	var ids []string
	for _, it := range plan.items() {
		ids = append(ids, it.Kind+":"+it.ID)
	}
	slices.Sort(ids)
	want := []string{"SSH public key:APKA1", "SSH public key:APKA2", "access key:AKIA1", "service-specific credential:ACCA1",
		"service-specific credential:ACCA2", "signing certificate:CERT1"}
	if !slices.Equal(ids, want) || !plan.login {
		t.Errorf("suspension items %v (login %v), want %v", ids, plan.login, want)
	}
	f := &fakeIAM{rec: rec}
	if err := suspendUser(context.Background(), newSession(f), rec, plan, time.Now(), func(engine.Result) {}); err != nil {
		t.Fatal(err)
	}
	started, _ := f.log()
	for _, c := range started {
		if strings.HasSuffix(c.Method, ":Active") || c.ID == "AKIA2" || c.ID == "APKA3" || c.ID == "ACCA3" || strings.HasPrefix(c.Method, "Deactivate") {
			t.Errorf("suspension made call %v", c)
		}
	}
	if countCalls(f, "DeleteLoginProfile") != 1 || countCalls(f, "TagUser") != 1 {
		t.Errorf("calls %v", started)
	}
}
