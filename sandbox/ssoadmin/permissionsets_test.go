package ssoadmin_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
)

func TestPermissionSets(t *testing.T) {
	w := newIDC(t)
	made, err := w.admin.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(instance), Name: aws.String("Developer"), Description: aws.String("Builds things")})
	if err != nil {
		t.Fatal(err)
	}
	ps := made.PermissionSet
	arn := aws.ToString(ps.PermissionSetArn)
	if !regexp.MustCompile(`^arn:aws:sso:::permissionSet/`+instanceID+`/ps-[0-9a-f]{16}$`).MatchString(arn) || aws.ToString(ps.SessionDuration) != "PT1H" || ps.CreatedDate == nil {
		t.Errorf("CreatePermissionSet = %+v", ps)
	}
	_, err = w.admin.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(instance), Name: aws.String("developer")})
	wantCode(t, err, "ConflictException")
	for _, d := range []string{"PT13H", "PT30M", "P1D"} {
		_, err = w.admin.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(instance), Name: aws.String("Long"), SessionDuration: aws.String(d)})
		wantCode(t, err, "ValidationException")
	}

	attach := &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String(arn), ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}
	if _, err := w.admin.AttachManagedPolicyToPermissionSet(ctx, attach); err != nil {
		t.Fatal(err)
	}
	_, err = w.admin.AttachManagedPolicyToPermissionSet(ctx, attach)
	wantCode(t, err, "ConflictException")
	attach.ManagedPolicyArn = aws.String("arn:aws:iam::123456789012:policy/Mine")
	_, err = w.admin.AttachManagedPolicyToPermissionSet(ctx, attach)
	wantCode(t, err, "ValidationException")
	policies, err := w.admin.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String(arn)})
	if err != nil || len(policies.AttachedManagedPolicies) != 1 || aws.ToString(policies.AttachedManagedPolicies[0].Name) != "PowerUserAccess" {
		t.Errorf("ListManagedPoliciesInPermissionSet = %+v, %v", policies, err)
	}

	d, err := w.admin.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String(w.permissionSet(t, "ReadOnly"))})
	if err != nil || aws.ToString(d.PermissionSet.Description) != "Look, don't touch" || aws.ToString(d.PermissionSet.SessionDuration) != "PT4H" {
		t.Errorf("the fixture's permission set = %+v, %v", d, err)
	}
	_, err = w.admin.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String("arn:aws:sso:::permissionSet/" + instanceID + "/ps-0000000000000000")})
	wantCode(t, err, "ResourceNotFoundException")

	page, err := w.admin.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instance), MaxResults: aws.Int32(1)})
	if err != nil || len(page.PermissionSets) != 1 || page.NextToken == nil {
		t.Fatalf("first page = %+v, %v", page, err)
	}
	rest, err := w.admin.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instance), NextToken: page.NextToken})
	if err != nil || len(rest.PermissionSets) != 1 || rest.NextToken != nil || rest.PermissionSets[0] == page.PermissionSets[0] {
		t.Errorf("second page = %+v, %v", rest, err)
	}
}
