package offboard_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/internal/offboard"
)

// Suspending deletes the login profile and deactivates every active
// credential; reinstating reactivates exactly those — the credentials that
// were inactive before stay inactive. Both plans change nothing, and running
// either again changes nothing more.
func TestSuspendThenReinstateRestoresExactly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addUsers(t, prod, loadedUser(prod, "sue", "sue@example.com"))
	before := credentialStatuses(t, e, "sue")
	if len(before) != 9 || countStatus(before, "Active") != 5 {
		t.Fatalf("fixture statuses %v", before)
	}

	e.sb.Delete(t, "requests")
	p := e.plan(t, request(t, offboard.ActionSuspend, []string{"sue"}, prod))
	if n, which := mutating(e.sb.Requests(t, "")); n != 0 {
		t.Fatalf("suspend plan made %d mutating calls: %s", n, which)
	}
	if ch := p.Changes(p.Placements[0]); len(ch) != 1+5+1 { // login profile, 5 active credentials, tag
		t.Fatalf("suspend plan: %+v", ch)
	}
	rep := e.apply(t, p)
	if rep.Rows[0].Status != offboard.StatusSuspended || !rep.OK() {
		t.Fatalf("suspend: %+v", rep.Rows[0])
	}
	suspended := credentialStatuses(t, e, "sue")
	if countStatus(suspended, "Active") != 0 || len(suspended) != 9 {
		t.Errorf("after suspension: %v", suspended)
	}
	if _, err := e.iam(prod).GetLoginProfile(context.Background(), &iam.GetLoginProfileInput{UserName: aws.String("sue")}); err == nil {
		t.Error("the login profile survived the suspension")
	}
	if tags := userTags(t, e, "sue"); tags[engine.TagSuspended] == "" {
		t.Errorf("no %s tag: %v", engine.TagSuspended, tags)
	}
	assertSuspensionArchived(t, rep.Rows[0].Archive)

	e.sb.Delete(t, "requests")
	if rep := e.run(t, request(t, offboard.ActionSuspend, []string{"sue"}, prod)); rep.Rows[0].Status != offboard.StatusUnchanged {
		t.Errorf("second suspension: %+v", rep.Rows[0])
	}
	if n, which := mutating(e.sb.Requests(t, "")); n != 0 {
		t.Errorf("second suspension made %d mutating calls: %s", n, which)
	}

	p = e.plan(t, request(t, offboard.ActionReinstate, []string{"sue"}, prod))
	if n, _ := mutating(e.sb.Requests(t, "")); n != 0 || len(p.Changes(p.Placements[0])) != 5+1+1 { // 5 credentials, untag, password
		t.Fatalf("reinstate plan: %d mutating, %+v", n, p.Changes(p.Placements[0]))
	}
	rep = e.apply(t, p)
	if rep.Rows[0].Status != offboard.StatusReinstated || !rep.Rows[0].PasswordNeeded || !rep.OK() {
		t.Fatalf("reinstate: %+v", rep.Rows[0])
	}
	if after := credentialStatuses(t, e, "sue"); !maps.Equal(after, before) {
		t.Errorf("reinstated statuses differ:\nbefore %v\nafter  %v", before, after)
	}
	if tags := userTags(t, e, "sue"); tags[engine.TagSuspended] != "" || tags["team"] != "platform" {
		t.Errorf("tags after reinstatement: %v", tags)
	}
	if rep := e.run(t, request(t, offboard.ActionReinstate, []string{"sue"}, prod)); rep.Rows[0].Status != offboard.StatusUnchanged {
		t.Errorf("second reinstatement: %+v", rep.Rows[0])
	}
}

// credentialStatuses maps every credential of the user to its status.
func credentialStatuses(t *testing.T, e *env, name string) map[string]string {
	t.Helper()
	ctx, api, user := context.Background(), e.iam(prod), aws.String(name)
	out := map[string]string{}
	keys, err := api.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: user})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys.AccessKeyMetadata {
		out[aws.ToString(k.AccessKeyId)] = string(k.Status)
	}
	ssh, _ := api.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: user})
	for _, k := range ssh.SSHPublicKeys {
		out[aws.ToString(k.SSHPublicKeyId)] = string(k.Status)
	}
	certs, _ := api.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: user})
	for _, c := range certs.Certificates {
		out[aws.ToString(c.CertificateId)] = string(c.Status)
	}
	creds, _ := api.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: user})
	for _, c := range creds.ServiceSpecificCredentials {
		out[aws.ToString(c.ServiceSpecificCredentialId)] = string(c.Status)
	}
	return out
}

func countStatus(m map[string]string, status string) int {
	n := 0
	for _, s := range m {
		if s == status {
			n++
		}
	}
	return n
}

func userTags(t *testing.T, e *env, name string) map[string]string {
	t.Helper()
	out, err := e.iam(prod).ListUserTags(context.Background(), &iam.ListUserTagsInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tag := range out.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return tags
}

// assertSuspensionArchived checks the suspension's archive lists what it
// deactivates, so it can be undone by hand without the journal.
func assertSuspensionArchived(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rec iamuser.Record
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Action != offboard.ActionSuspend || len(rec.Deactivates) != 5 || rec.LoginProfile == nil {
		t.Errorf("suspension archive: action %s, deactivates %+v", rec.Action, rec.Deactivates)
	}
}
