package organizations_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

const (
	mgmt     = "900000000001"
	outsider = "900000000009"
)

var (
	orgID    = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	rootID   = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	ouID     = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	statusID = regexp.MustCompile(`^car-[a-z0-9]{8,32}$`)
)

// orgWorld is a sandbox with an organisation created by mgmt through the API.
type orgWorld struct {
	sb   *sandboxtest.Sandbox
	c    *organizations.Client
	org  *types.Organization
	root string
}

func newOrg(t *testing.T) *orgWorld {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	w := &orgWorld{sb: sb, c: client(sb, mgmt)}
	out, err := w.c.CreateOrganization(context.Background(), &organizations.CreateOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	w.org = out.Organization
	roots, err := w.c.ListRoots(context.Background(), &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("ListRoots = %v, %v", roots, err)
	}
	w.root = aws.ToString(roots.Roots[0].Id)
	return w
}

func client(sb *sandboxtest.Sandbox, account string) *organizations.Client {
	return organizations.NewFromConfig(sb.Config(account))
}

func (w *orgWorld) createOU(t *testing.T, parent, name string) string {
	t.Helper()
	out, err := w.c.CreateOrganizationalUnit(context.Background(), &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
	if err != nil {
		t.Fatalf("creating OU %s: %v", name, err)
	}
	return aws.ToString(out.OrganizationalUnit.Id)
}

func (w *orgWorld) createAccount(t *testing.T, name, email string) *types.CreateAccountStatus {
	t.Helper()
	out, err := w.c.CreateAccount(context.Background(), &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)})
	if err != nil {
		t.Fatalf("creating account %s: %v", name, err)
	}
	return out.CreateAccountStatus
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Errorf("error = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}

func TestCreateAndDescribeOrganization(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb := sandboxtest.Start(t, sandbox.Options{})
	_, err := client(sb, mgmt).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	_, err = client(sb, mgmt).CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "HALF"})
	wantCode(t, err, "InvalidInputException")
	created, err := client(sb, mgmt).CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	o := created.Organization
	id := aws.ToString(o.Id)
	if !orgID.MatchString(id) || aws.ToString(o.Arn) != "arn:aws:organizations::"+mgmt+":organization/"+id ||
		aws.ToString(o.MasterAccountId) != mgmt || aws.ToString(o.MasterAccountArn) != "arn:aws:organizations::"+mgmt+":account/"+id+"/"+mgmt ||
		o.FeatureSet != types.OrganizationFeatureSetAll || aws.ToString(o.MasterAccountEmail) == "" {
		t.Errorf("organization = %+v", o)
	}
	described, err := client(sb, mgmt).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil || aws.ToString(described.Organization.Id) != id {
		t.Errorf("DescribeOrganization = %+v, %v", described, err)
	}
	_, err = client(sb, mgmt).CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	wantCode(t, err, "AlreadyInOrganizationException")
	_, err = client(sb, outsider).CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	wantCode(t, err, "ConstraintViolationException")
}

func TestAccessRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newOrg(t)
	member := aws.ToString(w.createAccount(t, "Member", "member@example.com").AccountId)
	mc, oc := client(w.sb, member), client(w.sb, outsider)
	if out, err := mc.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil || aws.ToString(out.Organization.Id) != aws.ToString(w.org.Id) {
		t.Errorf("member DescribeOrganization = %v, %v", out, err)
	}
	calls := map[string]func(*organizations.Client) error{
		"ListAccounts": func(c *organizations.Client) error {
			_, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{})
			return err
		},
		"ListRoots": func(c *organizations.Client) error {
			_, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
			return err
		},
		"DescribeAccount": func(c *organizations.Client) error {
			_, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(member)})
			return err
		},
		"CreateOrganizationalUnit": func(c *organizations.Client) error {
			_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(w.root), Name: aws.String("x")})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantCode(t, call(mc), "AccessDeniedException")
			wantCode(t, call(oc), "AWSOrganizationsNotInUseException")
		})
	}
	_, err := oc.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
}

func TestOrganizationalUnits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newOrg(t)
	eng := w.createOU(t, w.root, "Engineering")
	platform := w.createOU(t, eng, "Platform")
	if !ouID.MatchString(eng) || !strings.HasPrefix(eng, "ou-"+strings.TrimPrefix(w.root, "r-")+"-") {
		t.Errorf("OU ID %q does not carry the root's suffix (%s)", eng, w.root)
	}
	_, err := w.c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(w.root), Name: aws.String("engineering")})
	wantCode(t, err, "DuplicateOrganizationalUnitException")
	_, err = w.c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("ou-zzzz-zzzzzzzz"), Name: aws.String("x")})
	wantCode(t, err, "ParentNotFoundException")
	_, err = w.c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("root"), Name: aws.String("x")})
	wantCode(t, err, "InvalidInputException")
	parent := platform
	for _, name := range []string{"L3", "L4", "L5"} {
		parent = w.createOU(t, parent, name)
	}
	_, err = w.c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String("L6")})
	wantCode(t, err, "ConstraintViolationException")

	for _, name := range []string{"Finance", "Security"} {
		w.createOU(t, w.root, name)
	}
	var names []string
	p := organizations.NewListOrganizationalUnitsForParentPaginator(w.c, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(w.root), MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, ou := range out.OrganizationalUnits {
			names = append(names, aws.ToString(ou.Name))
			if ou.Name != nil && *ou.Name == "Engineering" && aws.ToString(ou.Path) != aws.ToString(w.org.Id)+"/"+w.root+"/"+eng+"/" {
				t.Errorf("Engineering path = %q", aws.ToString(ou.Path))
			}
		}
	}
	if pages != 2 || len(names) != 3 {
		t.Errorf("root OUs = %v in %d pages, want 3 in 2", names, pages)
	}
	for child, want := range map[string]types.Parent{
		platform: {Id: aws.String(eng), Type: types.ParentTypeOrganizationalUnit},
		eng:      {Id: aws.String(w.root), Type: types.ParentTypeRoot},
	} {
		out, err := w.c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child)})
		if err != nil || len(out.Parents) != 1 || aws.ToString(out.Parents[0].Id) != *want.Id || out.Parents[0].Type != want.Type {
			t.Errorf("ListParents(%s) = %+v, %v", child, out, err)
		}
	}
	_, err = w.c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String("ou-zzzz-zzzzzzzz")})
	wantCode(t, err, "ChildNotFoundException")
}
