package ssoadmin_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

func TestTheOrganizationsInstance(t *testing.T) {
	w := newIDC(t)
	list, err := w.admin.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(list.Instances) != 1 {
		t.Fatalf("ListInstances = %+v, %v", list, err)
	}
	in := list.Instances[0]
	if aws.ToString(in.InstanceArn) != instance || aws.ToString(in.IdentityStoreId) != storeID || aws.ToString(in.OwnerAccountId) != mgmt || in.Status != types.InstanceStatusActive {
		t.Errorf("instance = %+v", in)
	}
	d, err := w.admin.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String(instance)})
	if err != nil || aws.ToString(d.IdentityStoreId) != storeID || d.Status != types.InstanceStatusActive {
		t.Errorf("DescribeInstance = %+v, %v", d, err)
	}
	// Other accounts see no instance and may not describe this one.
	other := ssoadmin.NewFromConfig(w.sb.Config(prod))
	if l, err := other.ListInstances(ctx, &ssoadmin.ListInstancesInput{}); err != nil || len(l.Instances) != 0 {
		t.Errorf("member's ListInstances = %+v, %v", l, err)
	}
	_, err = other.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String(instance)})
	wantCode(t, err, "AccessDeniedException")
	_, err = w.admin.CreateInstance(ctx, &ssoadmin.CreateInstanceInput{Name: aws.String("again")})
	wantCode(t, err, "ValidationException")
}

func TestAccountInstance(t *testing.T) {
	w := newIDC(t)
	standalone := ssoadmin.NewFromConfig(w.sb.Config(outsider))
	made, err := standalone.CreateInstance(ctx, &ssoadmin.CreateInstanceInput{Name: aws.String("team-apps")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(made.InstanceArn)
	if !regexp.MustCompile(`^arn:aws:sso:::instance/ssoins-[0-9a-f]{16}$`).MatchString(arn) {
		t.Errorf("InstanceArn = %s", arn)
	}
	d, err := standalone.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String(arn)})
	if err != nil || d.Status != types.InstanceStatusActive || aws.ToString(d.OwnerAccountId) != outsider || aws.ToString(d.Name) != "team-apps" ||
		!regexp.MustCompile(`^d-[0-9a-f]{10}$`).MatchString(aws.ToString(d.IdentityStoreId)) {
		t.Errorf("DescribeInstance = %+v, %v", d, err)
	}
	_, err = standalone.CreateInstance(ctx, &ssoadmin.CreateInstanceInput{})
	wantCode(t, err, "ConflictException")
	// Account instances give no access to accounts.
	_, err = standalone.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(arn), Name: aws.String("Admin")})
	wantCode(t, err, "ValidationException")
}
