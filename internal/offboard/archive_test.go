package offboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/internal/offboard"
)

// The archive is written before the first delete, privately, in the
// journal too, and holds everything: enough to recreate the user by hand.
// The test recreates it from the archive alone, with the calls the README
// gives, and discovers the same user again.
func TestArchiveHoldsEnoughToRecreateTheUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addUsers(t, prod, loadedUser(prod, "carol", "carol@example.com"))
	before := e.plan(t, request(t, offboard.ActionRemove, []string{"carol"}, prod)).Placements[0].Record.(*iamuser.Record)
	rep := e.run(t, request(t, offboard.ActionRemove, []string{"carol"}, prod))
	if !rep.OK() {
		t.Fatalf("removal: %+v", rep.Rows)
	}
	path := rep.Rows[0].Archive
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700 | os.ModeDir, e.archive: 0o700 | os.ModeDir} {
		if fi, err := os.Stat(p); err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode(), err, want)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rec iamuser.Record
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	assertArchiveComplete(t, &rec)
	if strings.Contains(string(data), "Old-Password-123!") {
		t.Error("the archive holds the user's password")
	}
	inJournal, err := e.journal.Archives(context.Background(), prod, "carol")
	if err != nil || len(inJournal) != 1 || inJournal[0].File != path || inJournal[0].Action != "remove" {
		t.Fatalf("journal archives: %+v, %v", inJournal, err)
	}

	recreate(t, e.iam(prod), &rec)
	after := e.plan(t, request(t, offboard.ActionRemove, []string{"carol"}, prod)).Placements[0].Record.(*iamuser.Record)
	if !sameUser(before, after) {
		t.Errorf("recreated from the archive, the user differs:\nbefore %+v\nafter  %+v", before, after)
	}
}

func assertArchiveComplete(t *testing.T, rec *iamuser.Record) {
	t.Helper()
	checks := []struct {
		what string
		ok   bool
	}{
		{"format and action", rec.Format == iamuser.ArchiveFormat && rec.Action == offboard.ActionRemove && rec.RunID > 0 && !rec.Archived.IsZero()},
		{"user", rec.User.UserName == "carol" && rec.User.Path == "/people/" && strings.HasPrefix(rec.User.UserID, "AIDA") &&
			rec.User.Arn == "arn:aws:iam::"+prod+":user/people/carol"},
		{"boundary", rec.User.PermissionsBoundary == "arn:aws:iam::"+prod+":policy/boundaries/DeveloperBoundary"},
		{"tags", len(rec.User.Tags) == 3 && rec.Email() == "carol@example.com" && rec.Managed()},
		{"login profile", rec.LoginProfile != nil && rec.LoginProfile.PasswordResetRequired},
		{"access keys", len(rec.AccessKeys) == 2 && rec.AccessKeys[0].LastUsed != nil && statuses(rec) == "Active,Inactive"},
		{"ssh keys", len(rec.SSHPublicKeys) == 2 && rec.SSHPublicKeys[0].SSHPublicKeyBody != "" && rec.SSHPublicKeys[0].Fingerprint != ""},
		{"certificates", len(rec.SigningCertificates) == 2 && strings.HasPrefix(rec.SigningCertificates[1].CertificateBody, "-----BEGIN CERTIFICATE-----")},
		{"service credentials of every service", services(rec) == "bedrock.amazonaws.com,cassandra.amazonaws.com,codecommit.amazonaws.com"},
		{"MFA devices of every type", mfaTypes(rec) == "hardware,passkey,virtual"},
		{"groups", len(rec.Groups) == 3 && slices.ContainsFunc(rec.Groups, func(g iamuser.Group) bool { return g.GroupName == "developers" && g.Path == "/staff/" })},
		{"inline policies, URL-decoded", len(rec.InlinePolicies) == 2 && docOf(rec, "s3-read") == docS3Read && docOf(rec, "deny-delete") == docDenyDelete},
		{"managed policies", len(rec.AttachedPolicies) == 2},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("archive: %s: %+v", c.what, rec)
		}
	}
}

func statuses(rec *iamuser.Record) string {
	var s []string
	for _, k := range rec.AccessKeys {
		s = append(s, k.Status)
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}

func services(rec *iamuser.Record) string {
	var s []string
	for _, c := range rec.ServiceSpecificCredentials {
		s = append(s, c.ServiceName)
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}

func mfaTypes(rec *iamuser.Record) string {
	var s []string
	for _, d := range rec.MFADevices {
		s = append(s, d.Type)
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}

func docOf(rec *iamuser.Record, name string) string {
	for _, p := range rec.InlinePolicies {
		if p.PolicyName == name {
			var b bytes.Buffer
			if err := json.Compact(&b, p.PolicyDocument); err != nil {
				return err.Error()
			}
			return b.String()
		}
	}
	return ""
}

// recreate makes the user again from its archive record, the way the README
// tells a person to: everything but secrets (new keys and password) and MFA
// devices (which their owner registers again).
func recreate(t *testing.T, api *iam.Client, rec *iamuser.Record) {
	t.Helper()
	ctx := context.Background()
	u := rec.User
	user := aws.String(u.UserName)
	in := &iam.CreateUserInput{UserName: user, Path: aws.String(u.Path), PermissionsBoundary: aws.String(u.PermissionsBoundary)}
	for _, tag := range u.Tags {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(tag.Key), Value: aws.String(tag.Value)})
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(api.CreateUser(ctx, in))
	for _, g := range rec.Groups {
		must(api.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: user, GroupName: aws.String(g.GroupName)}))
	}
	for _, p := range rec.InlinePolicies {
		must(api.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: user, PolicyName: aws.String(p.PolicyName), PolicyDocument: aws.String(string(p.PolicyDocument))}))
	}
	for _, p := range rec.AttachedPolicies {
		must(api.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: user, PolicyArn: aws.String(p.PolicyArn)}))
	}
	for _, k := range rec.SSHPublicKeys {
		out, err := api.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(k.SSHPublicKeyBody)})
		must(out, err)
		must(api.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: user, SSHPublicKeyId: out.SSHPublicKey.SSHPublicKeyId, Status: iamtypes.StatusType(k.Status)}))
	}
	for _, c := range rec.SigningCertificates {
		out, err := api.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: user, CertificateBody: aws.String(c.CertificateBody)})
		must(out, err)
		must(api.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: user, CertificateId: out.Certificate.CertificateId, Status: iamtypes.StatusType(c.Status)}))
	}
	for _, c := range rec.ServiceSpecificCredentials {
		out, err := api.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String(c.ServiceName)})
		must(out, err)
		must(api.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: user,
			ServiceSpecificCredentialId: out.ServiceSpecificCredential.ServiceSpecificCredentialId, Status: iamtypes.StatusType(c.Status)}))
	}
}

// sameUser compares what recreation can restore: everything but IDs, dates,
// secrets (keys, password) and MFA devices.
func sameUser(a, b *iamuser.Record) bool {
	type view struct {
		Name, Path, Boundary string
		Tags                 []iamuser.Tag
		Groups, Inline       []string
		Attached             []iamuser.AttachedPolicy
		SSH, Certs, Services []string
	}
	v := func(r *iamuser.Record) view {
		out := view{Name: r.User.UserName, Path: r.User.Path, Boundary: r.User.PermissionsBoundary, Tags: r.User.Tags, Attached: r.AttachedPolicies}
		for _, g := range r.Groups {
			out.Groups = append(out.Groups, g.GroupName+g.Path)
		}
		for _, p := range r.InlinePolicies {
			out.Inline = append(out.Inline, p.PolicyName+docOf(r, p.PolicyName))
		}
		for _, k := range r.SSHPublicKeys {
			out.SSH = append(out.SSH, k.SSHPublicKeyBody+k.Status+k.Fingerprint)
		}
		for _, c := range r.SigningCertificates {
			out.Certs = append(out.Certs, c.CertificateBody+c.Status)
		}
		for _, c := range r.ServiceSpecificCredentials {
			out.Services = append(out.Services, c.ServiceName+c.Status)
		}
		for _, l := range [][]string{out.Groups, out.Inline, out.SSH, out.Certs, out.Services} {
			slices.Sort(l)
		}
		return out
	}
	return reflect.DeepEqual(v(a), v(b))
}
