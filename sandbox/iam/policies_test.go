package iam_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const s3ReadDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

func (e *idEnv) policy(name, path string) string {
	e.t.Helper()
	out, err := e.iam.CreatePolicy(e.ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), Path: aws.String(path), PolicyDocument: aws.String(s3ReadDoc)})
	e.must("creating policy "+name, err)
	return *out.Policy.Arn
}

func TestAWSManagedCatalogue(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	for _, arn := range []string{
		"arn:aws:iam::aws:policy/AdministratorAccess",
		"arn:aws:iam::aws:policy/ReadOnlyAccess",
		"arn:aws:iam::aws:policy/PowerUserAccess",
		"arn:aws:iam::aws:policy/IAMUserChangePassword",
		"arn:aws:iam::aws:policy/IAMReadOnlyAccess",
		"arn:aws:iam::aws:policy/IAMFullAccess",
		"arn:aws:iam::aws:policy/SecurityAudit",
		"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
		"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
		"arn:aws:iam::aws:policy/job-function/Billing",
		"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
	} {
		t.Run(arn[strings.LastIndex(arn, "/")+1:], func(t *testing.T) {
			got, err := e.iam.GetPolicy(e.ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
			e.must("getting "+arn, err)
			v, err := e.iam.GetPolicyVersion(e.ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: got.Policy.DefaultVersionId})
			e.must("getting its default version", err)
			doc, err := url.QueryUnescape(*v.PolicyVersion.Document)
			if err != nil || !strings.HasPrefix(doc, `{"Version":"2012-10-17"`) || !v.PolicyVersion.IsDefaultVersion {
				t.Errorf("document = %q (%v)", doc, err)
			}
		})
	}
	// The paths are part of the ARN: ViewOnlyAccess is not at the root.
	_, err := e.iam.GetPolicy(e.ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ViewOnlyAccess")})
	expectError(t, err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/ViewOnlyAccess was not found.")
	jobs, err := e.iam.ListPolicies(e.ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, PathPrefix: aws.String("/job-function/")})
	e.must("listing job functions", err)
	if len(jobs.Policies) < 5 {
		t.Errorf("job-function policies = %d, want at least 5", len(jobs.Policies))
	}
}

func TestCustomerManagedPolicyLifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	created, err := e.iam.CreatePolicy(e.ctx, &iam.CreatePolicyInput{
		PolicyName: aws.String("S3Read"), Path: aws.String("/team/"), PolicyDocument: aws.String(s3ReadDoc),
		Description: aws.String("read objects"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	})
	e.must("creating S3Read", err)
	arn := *created.Policy.Arn
	if arn != "arn:aws:iam::111122223333:policy/team/S3Read" || *created.Policy.DefaultVersionId != "v1" ||
		!strings.HasPrefix(*created.Policy.PolicyId, "ANPA") || created.Policy.Description != nil {
		t.Errorf("created = %+v", created.Policy)
	}
	_, err = e.iam.CreatePolicy(e.ctx, &iam.CreatePolicyInput{PolicyName: aws.String("s3read"), PolicyDocument: aws.String(s3ReadDoc)})
	expectError(t, err, "EntityAlreadyExists", "A policy called s3read already exists. Duplicate names are not allowed.")

	got, err := e.iam.GetPolicy(e.ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	e.must("getting S3Read", err)
	if aws.ToString(got.Policy.Description) != "read objects" || len(got.Policy.Tags) != 1 || *got.Policy.AttachmentCount != 0 {
		t.Errorf("got = %+v", got.Policy)
	}

	// Versions: up to five, newest first, the default one protected.
	for i := 2; i <= 5; i++ {
		out, err := e.iam.CreatePolicyVersion(e.ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(s3ReadDoc), SetAsDefault: i == 3})
		e.must("creating a version", err)
		if *out.PolicyVersion.VersionId != fmt.Sprintf("v%d", i) || out.PolicyVersion.Document != nil {
			t.Errorf("version = %+v", out.PolicyVersion)
		}
	}
	_, err = e.iam.CreatePolicyVersion(e.ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(s3ReadDoc)})
	expectError(t, err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	versions, err := e.iam.ListPolicyVersions(e.ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	e.must("listing versions", err)
	if len(versions.Versions) != 5 || *versions.Versions[0].VersionId != "v5" || !versions.Versions[2].IsDefaultVersion {
		t.Errorf("versions = %+v", versions.Versions)
	}
	_, err = e.iam.DeletePolicyVersion(e.ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
	expectError(t, err, "DeleteConflict", "Cannot delete the default version of a policy.")
	_, err = e.iam.GetPolicyVersion(e.ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	expectError(t, err, "NoSuchEntity", "Policy "+arn+" version v9 does not exist or is not attachable.")

	_, err = e.iam.DeletePolicy(e.ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	expectError(t, err, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	for _, v := range []string{"v1", "v2", "v4", "v5"} {
		e.must("deleting "+v, justErr(e.iam.DeletePolicyVersion(e.ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)})))
	}
	e.must("deleting the policy", justErr(e.iam.DeletePolicy(e.ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})))
	_, err = e.iam.GetPolicy(e.ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	expectError(t, err, "NoSuchEntity", "Policy "+arn+" was not found.")
}

func TestDeletePolicyConflicts(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	arn := e.policy("P", "/")
	attach := func() error {
		return justErr(e.iam.AttachUserPolicy(e.ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)}))
	}
	e.must("attaching", attach())
	_, err := e.iam.DeletePolicy(e.ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	expectError(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
	e.must("detaching", justErr(e.iam.DetachUserPolicy(e.ctx, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)})))
	e.must("using as boundary", justErr(e.iam.PutUserPermissionsBoundary(e.ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(arn)})))
	_, err = e.iam.DeletePolicy(e.ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	expectError(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")

	_, err = e.iam.DeletePolicy(e.ctx, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	expectError(t, err, "AccessDenied", "")
}

func TestAttachPolicies(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	e.group("devs")
	_, err := e.iam.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	e.must("creating a role", err)
	local := e.policy("Local", "/x/")
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	attach := map[string]func(arn string) error{
		"user": func(arn string) error {
			return justErr(e.iam.AttachUserPolicy(e.ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)}))
		},
		"group": func(arn string) error {
			return justErr(e.iam.AttachGroupPolicy(e.ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(arn)}))
		},
		"role": func(arn string) error {
			return justErr(e.iam.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(arn)}))
		},
	}
	for kind, fn := range attach {
		t.Run(kind, func(t *testing.T) {
			e.must("attaching local", fn(local))
			e.must("attaching admin", fn(admin))
			e.must("attaching admin again", fn(admin))
			missing := "arn:aws:iam::aws:policy/NoSuchPolicy"
			expectError(t, fn(missing), "NoSuchEntity", "Policy "+missing+" does not exist or is not attachable.")
			expectError(t, fn("arn:aws:iam::111122223333:role/app"), "InvalidInput", "ARN arn:aws:iam::111122223333:role/app is not valid.")
		})
	}
	got, err := e.iam.GetPolicy(e.ctx, &iam.GetPolicyInput{PolicyArn: aws.String(admin)})
	e.must("getting admin", err)
	if *got.Policy.AttachmentCount != 3 {
		t.Errorf("AttachmentCount = %d, want 3 (no duplicates)", *got.Policy.AttachmentCount)
	}

	listed, err := e.iam.ListAttachedRolePolicies(e.ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app"), PathPrefix: aws.String("/x/")})
	e.must("listing the role's /x/ policies", err)
	if len(listed.AttachedPolicies) != 1 || *listed.AttachedPolicies[0].PolicyArn != local {
		t.Errorf("attached under /x/ = %+v", listed.AttachedPolicies)
	}
	entities, err := e.iam.ListEntitiesForPolicy(e.ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(admin)})
	e.must("listing entities", err)
	if len(entities.PolicyUsers) != 1 || len(entities.PolicyGroups) != 1 || len(entities.PolicyRoles) != 1 || *entities.PolicyRoles[0].RoleName != "app" {
		t.Errorf("entities = %+v", entities)
	}
	onlyRoles, err := e.iam.ListEntitiesForPolicy(e.ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(admin), EntityFilter: types.EntityTypeRole})
	e.must("listing roles for the policy", err)
	if len(onlyRoles.PolicyUsers)+len(onlyRoles.PolicyGroups) != 0 || len(onlyRoles.PolicyRoles) != 1 {
		t.Errorf("role-filtered entities = %+v", onlyRoles)
	}

	_, err = e.iam.DetachGroupPolicy(e.ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	expectError(t, err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/ReadOnlyAccess was not found.")
	onlyAttached, err := e.iam.ListPolicies(e.ctx, &iam.ListPoliciesInput{OnlyAttached: true})
	e.must("listing attached policies", err)
	if len(onlyAttached.Policies) != 2 {
		t.Errorf("attached policies = %d, want 2", len(onlyAttached.Policies))
	}
}

func TestAttachQuotaAndPages(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	var arns []string
	for i := range 11 {
		arns = append(arns, e.policy(fmt.Sprintf("p%02d", i), "/"))
	}
	for _, arn := range arns[:10] {
		e.must("attaching", justErr(e.iam.AttachUserPolicy(e.ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)})))
	}
	_, err := e.iam.AttachUserPolicy(e.ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arns[10])})
	expectError(t, err, "LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10")

	var names []string
	p := iam.NewListAttachedUserPoliciesPaginator(e.iam, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice"), MaxItems: aws.Int32(3)})
	for p.HasMorePages() {
		out, err := p.NextPage(e.ctx)
		e.must("paging attached policies", err)
		for _, a := range out.AttachedPolicies {
			names = append(names, *a.PolicyName)
		}
	}
	if len(names) != 10 || names[0] != "p00" || names[9] != "p09" {
		t.Errorf("attached = %v", names)
	}

	var local []string
	lp := iam.NewListPoliciesPaginator(e.iam, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, MaxItems: aws.Int32(4)})
	for lp.HasMorePages() {
		out, err := lp.NextPage(e.ctx)
		e.must("paging local policies", err)
		for _, pol := range out.Policies {
			local = append(local, *pol.PolicyName)
		}
	}
	if len(local) != 11 || local[10] != "p10" {
		t.Errorf("local policies = %v", local)
	}
	var all int
	ap := iam.NewListPoliciesPaginator(e.iam, &iam.ListPoliciesInput{MaxItems: aws.Int32(7)})
	for ap.HasMorePages() {
		out, err := ap.NextPage(e.ctx)
		e.must("paging all policies", err)
		all += len(out.Policies)
	}
	if all < 11+25 {
		t.Errorf("all policies = %d, want the 11 local ones and at least 25 AWS-managed", all)
	}
}
