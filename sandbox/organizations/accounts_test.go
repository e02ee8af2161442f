package organizations_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

var accountID = regexp.MustCompile(`^\d{12}$`)

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newOrg(t)
	st := w.createAccount(t, "Production", "prod@example.com")
	id := aws.ToString(st.AccountId)
	if st.State != types.CreateAccountStateSucceeded || !accountID.MatchString(id) || !statusID.MatchString(aws.ToString(st.Id)) || aws.ToString(st.AccountName) != "Production" {
		t.Errorf("status = %+v", st)
	}
	got, err := w.c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})
	if err != nil || got.CreateAccountStatus.State != types.CreateAccountStateSucceeded || aws.ToString(got.CreateAccountStatus.AccountId) != id {
		t.Errorf("DescribeCreateAccountStatus = %+v, %v", got, err)
	}
	dup := w.createAccount(t, "Again", "PROD@example.com")
	if dup.State != types.CreateAccountStateFailed || dup.FailureReason != types.CreateAccountFailureReasonEmailAlreadyExists || dup.AccountId != nil {
		t.Errorf("duplicate e-mail status = %+v", dup)
	}
	got, err = w.c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: dup.Id})
	if err != nil || got.CreateAccountStatus.FailureReason != types.CreateAccountFailureReasonEmailAlreadyExists {
		t.Errorf("failed status = %+v, %v", got, err)
	}
	forged := aws.ToString(st.Id)[:20] + "0000" + aws.ToString(st.Id)[24:]
	_, err = w.c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(forged)})
	wantCode(t, err, "CreateAccountStatusNotFoundException")
	_, err = w.c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("nope")})
	wantCode(t, err, "InvalidInputException")
	_, err = w.c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("Bad"), Email: aws.String("not-an-email")})
	wantCode(t, err, "InvalidInputException")

	acct, err := w.c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	a := acct.Account
	orgID := aws.ToString(w.org.Id)
	if aws.ToString(a.Arn) != "arn:aws:organizations::"+mgmt+":account/"+orgID+"/"+id || aws.ToString(a.Email) != "prod@example.com" ||
		aws.ToString(a.Name) != "Production" || a.Status != types.AccountStatusActive || a.JoinedMethod != types.AccountJoinedMethodCreated ||
		a.JoinedTimestamp == nil || len(a.Paths) != 1 || a.Paths[0] != orgID+"/"+w.root+"/"+id+"/" {
		t.Errorf("account = %+v", a)
	}
	_, err = w.c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("123123123123")})
	wantCode(t, err, "AccountNotFoundException")
	m, err := w.c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(mgmt)})
	if err != nil || m.Account.JoinedMethod != types.AccountJoinedMethodInvited {
		t.Errorf("management account = %+v, %v", m, err)
	}
}

// TestCreatedAccountIsUsable assumes the role CreateAccount makes and works
// in the new account, as gatehouse does with member accounts.
func TestCreatedAccountIsUsable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newOrg(t)
	id := aws.ToString(w.createAccount(t, "Sandbox", "sandbox@example.com").AccountId)
	stsc := sts.NewFromConfig(w.sb.Config(mgmt))
	role := "arn:aws:iam::" + id + ":role/OrganizationAccountAccessRole"
	out, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("gatehouse")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := w.sb.Config(mgmt)
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Account) != id {
		t.Errorf("identity in the new account = %+v, %v", who, err)
	}
	// The role trusts the management account only.
	_, err = sts.NewFromConfig(w.sb.Config(outsider)).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("intruder")})
	wantCode(t, err, "AccessDenied")
}

func TestMoveAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newOrg(t)
	ou := w.createOU(t, w.root, "Workloads")
	id := aws.ToString(w.createAccount(t, "App", "app@example.com").AccountId)
	move := func(account, from, to string) error {
		_, err := w.c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(account), SourceParentId: aws.String(from), DestinationParentId: aws.String(to)})
		return err
	}
	wantCode(t, move(id, ou, w.root), "DuplicateAccountException")
	wantCode(t, move(id, "ou-zzzz-zzzzzzzz", ou), "SourceParentNotFoundException")
	wantCode(t, move(id, w.root, "ou-zzzz-zzzzzzzz"), "DestinationParentNotFoundException")
	wantCode(t, move("123123123123", w.root, ou), "AccountNotFoundException")
	if err := move(id, w.root, ou); err != nil {
		t.Fatal(err)
	}
	wantCode(t, move(id, w.root, ou), "DuplicateAccountException")
	parents, err := w.c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(id)})
	if err != nil || len(parents.Parents) != 1 || aws.ToString(parents.Parents[0].Id) != ou || parents.Parents[0].Type != types.ParentTypeOrganizationalUnit {
		t.Errorf("ListParents = %+v, %v", parents, err)
	}
	for parent, want := range map[string]string{w.root: mgmt, ou: id} {
		out, err := w.c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
		if err != nil || len(out.Accounts) != 1 || aws.ToString(out.Accounts[0].Id) != want {
			t.Errorf("ListAccountsForParent(%s) = %+v, %v", parent, out, err)
		}
	}
	_, err = w.c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String("ou-zzzz-zzzzzzzz")})
	wantCode(t, err, "ParentNotFoundException")
}

func TestListAccountsPagination(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newOrg(t)
	want := []string{mgmt}
	for i := range 5 {
		want = append(want, aws.ToString(w.createAccount(t, fmt.Sprintf("Acct%d", i), fmt.Sprintf("a%d@example.com", i)).AccountId))
	}
	sort.Strings(want)
	var got []string
	p := organizations.NewListAccountsPaginator(w.c, &organizations.ListAccountsInput{MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Accounts) > 2 {
			t.Errorf("page of %d accounts with MaxResults 2", len(out.Accounts))
		}
		for _, a := range out.Accounts {
			got = append(got, aws.ToString(a.Id))
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("listed %v in %d pages, want %v in 3", got, pages, want)
	}
	for _, bad := range []*organizations.ListAccountsInput{
		{MaxResults: aws.Int32(21)},
		{MaxResults: aws.Int32(0)},
		{NextToken: aws.String("!!not a token!!")},
	} {
		_, err := w.c.ListAccounts(ctx, bad)
		wantCode(t, err, "InvalidInputException")
	}
}
