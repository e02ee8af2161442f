package identitystore_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"
)

// The store's IDs: its own ten hex digits, then a UUID.
var userID = regexp.MustCompile(`^1234567890-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUserLifecycle(t *testing.T) {
	_, c := newStore(t, mgmt)
	id := createUser(t, c, person("alice"))
	if !userID.MatchString(id) {
		t.Errorf("user ID = %s, want the store's prefix and a UUID", id)
	}
	d, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.UserName) != "alice" || aws.ToString(d.DisplayName) != "alice Example" || aws.ToString(d.Name.GivenName) != "alice" ||
		len(d.Emails) != 1 || aws.ToString(d.Emails[0].Value) != "alice@example.com" || !d.Emails[0].Primary ||
		d.UserStatus != types.UserStatusEnabled || d.CreatedAt == nil || aws.ToString(d.CreatedBy) != "arn:aws:iam::111111111111:root" {
		t.Errorf("DescribeUser = %+v", d)
	}

	for _, alt := range []types.AlternateIdentifier{
		byUserName("ALICE"), // user names are case-insensitive
		&types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{AttributePath: aws.String("emails.value"), AttributeValue: doc("Alice@Example.com")}},
	} {
		got, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(storeID), AlternateIdentifier: alt})
		if err != nil || aws.ToString(got.UserId) != id {
			t.Errorf("GetUserId(%+v) = %v, %v", alt, got, err)
		}
	}
	_, err = c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(storeID), AlternateIdentifier: byUserName("bob")})
	wantNotFound(t, err, types.ResourceTypeUser, "")
	_, err = c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: doc("x")}}})
	wantCode(t, err, "ValidationException")

	_, err = c.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(id), Operations: []types.AttributeOperation{
		{AttributePath: aws.String("name.givenName"), AttributeValue: doc("Alicia")},
		{AttributePath: aws.String("displayName"), AttributeValue: doc("Alicia Example")},
		{AttributePath: aws.String("emails"), AttributeValue: doc([]map[string]any{{"value": "alicia@example.com", "type": "work", "primary": true}})},
		{AttributePath: aws.String("title")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(id)})
	if aws.ToString(d.Name.GivenName) != "Alicia" || aws.ToString(d.Name.FamilyName) != "Example" || aws.ToString(d.DisplayName) != "Alicia Example" ||
		aws.ToString(d.Emails[0].Value) != "alicia@example.com" || aws.ToString(d.Emails[0].Type) != "work" {
		t.Errorf("after UpdateUser: %+v %+v %+v", d, d.Name, d.Emails)
	}

	if _, err := c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(id)})
	wantNotFound(t, err, types.ResourceTypeUser, id)
	_, err = c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(id)})
	wantNotFound(t, err, types.ResourceTypeUser, id)
}

func TestCreateUserValidatesAsIdentityCenter(t *testing.T) {
	_, c := newStore(t, mgmt)
	tests := []struct {
		name   string
		change func(*identitystore.CreateUserInput)
		want   string
	}{
		{"reserved name", func(in *identitystore.CreateUserInput) { in.UserName = aws.String("Administrator") }, "reserved"},
		{"reserved name in other case", func(in *identitystore.CreateUserInput) { in.UserName = aws.String("awsadministrators") }, "reserved"},
		{"129 characters", func(in *identitystore.CreateUserInput) { in.UserName = aws.String(strings.Repeat("a", 129)) }, "less than or equal to 128"},
		{"a space", func(in *identitystore.CreateUserInput) { in.UserName = aws.String("alice example") }, "regular expression"},
		{"no user name", func(in *identitystore.CreateUserInput) { in.UserName = nil }, "'userName'"},
		{"two e-mail addresses", func(in *identitystore.CreateUserInput) {
			in.Emails = append(in.Emails, types.Email{Value: aws.String("other@example.com")})
		}, "'emails'"},
		{"no display name", func(in *identitystore.CreateUserInput) { in.DisplayName = nil }, "'displayName'"},
		{"no name", func(in *identitystore.CreateUserInput) { in.Name = nil }, "'name'"},
		{"no family name", func(in *identitystore.CreateUserInput) { in.Name.FamilyName = nil }, "'name.FamilyName'"},
	}
	for _, tt := range tests {
		in := person("carol")
		tt.change(in)
		_, err := c.CreateUser(ctx, in)
		wantCode(t, err, "ValidationException")
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want it to mention %s", tt.name, err, tt.want)
		}
	}
	if out, err := c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID)}); err != nil || len(out.Users) != 0 {
		t.Errorf("after refused creations ListUsers = %+v, %v", out, err)
	}
}

func TestUniqueAttributesConflict(t *testing.T) {
	_, c := newStore(t, mgmt)
	createUser(t, c, person("alice"))
	bob := createUser(t, c, person("bob"))

	_, err := c.CreateUser(ctx, person("Alice"))
	wantConflict(t, err, types.ConflictExceptionReasonUniquenessConstraintViolation)
	clash := person("alice2")
	clash.Emails[0].Value = aws.String("ALICE@example.com")
	_, err = c.CreateUser(ctx, clash)
	wantConflict(t, err, types.ConflictExceptionReasonUniquenessConstraintViolation)

	// A renaming onto another user's name changes nothing, not even the
	// operations before it.
	_, err = c.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(bob), Operations: []types.AttributeOperation{
		{AttributePath: aws.String("displayName"), AttributeValue: doc("Robert")},
		{AttributePath: aws.String("userName"), AttributeValue: doc("ALICE")},
	}})
	wantConflict(t, err, types.ConflictExceptionReasonUniquenessConstraintViolation)
	d, _ := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(bob)})
	if aws.ToString(d.UserName) != "bob" || aws.ToString(d.DisplayName) != "bob Example" {
		t.Errorf("bob after a refused update = %s / %s", aws.ToString(d.UserName), aws.ToString(d.DisplayName))
	}
}

func TestUpdateUserRefusesWhatAWSRefuses(t *testing.T) {
	_, c := newStore(t, mgmt)
	id := createUser(t, c, person("alice"))
	for _, op := range []types.AttributeOperation{
		{AttributePath: aws.String("displayName")},                                // required
		{AttributePath: aws.String("emails.value"), AttributeValue: doc("a@b.c")}, // multi-valued: replace whole
		{AttributePath: aws.String("favouriteColour"), AttributeValue: doc("blue")},
		{AttributePath: aws.String("emails"), AttributeValue: doc([]map[string]any{{"value": "a@b.c"}, {"value": "d@e.f"}})},
		{AttributePath: aws.String("userName"), AttributeValue: doc("Administrator")},
	} {
		_, err := c.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(id), Operations: []types.AttributeOperation{op}})
		wantCode(t, err, "ValidationException")
	}
}

func TestListUsersPagesAndFilters(t *testing.T) {
	_, c := newStore(t, mgmt)
	for _, n := range []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7"} {
		createUser(t, c, person(n))
	}
	seen := map[string]bool{}
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID), MaxResults: aws.Int32(3), NextToken: token})
		if err != nil || pages > 3 {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, u := range out.Users {
			seen[aws.ToString(u.UserName)] = true
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(seen) != 7 {
		t.Errorf("pages held %d users, want 7", len(seen))
	}
	out, err := c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID),
		Filters: []types.Filter{{AttributePath: aws.String("UserName"), AttributeValue: aws.String("U3")}}})
	if err != nil || len(out.Users) != 1 || aws.ToString(out.Users[0].UserName) != "u3" {
		t.Errorf("filtered ListUsers = %+v, %v", out, err)
	}
	for _, in := range []*identitystore.ListUsersInput{
		{IdentityStoreId: aws.String(storeID), MaxResults: aws.Int32(101)},
		{IdentityStoreId: aws.String(storeID), NextToken: aws.String("not-a-token!")},
	} {
		_, err := c.ListUsers(ctx, in)
		wantCode(t, err, "ValidationException")
	}
}

func TestWhoMayUseTheStore(t *testing.T) {
	sb, owner := newStore(t, mgmt)
	id := createUser(t, owner, person("alice"))

	// A member account may read, as AWS lets member accounts use the read operations.
	inOrg := identitystore.NewFromConfig(sb.Config(member))
	if got, err := inOrg.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(storeID), AlternateIdentifier: byUserName("alice")}); err != nil || aws.ToString(got.UserId) != id {
		t.Errorf("member GetUserId = %v, %v", got, err)
	}
	_, err := inOrg.CreateUser(ctx, person("bob"))
	wantCode(t, err, "AccessDeniedException")
	_, err = identitystore.NewFromConfig(sb.Config(outsider)).ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID)})
	wantCode(t, err, "AccessDeniedException")
	_, err = owner.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String("d-0000000000")})
	wantNotFound(t, err, types.ResourceTypeIdentityStore, "d-0000000000")
	_, err = owner.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String("d_1234567890")})
	wantCode(t, err, "ValidationException")
}
