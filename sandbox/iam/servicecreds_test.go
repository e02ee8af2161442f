package iam_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
)

func TestServiceSpecificCredentialLifecycle(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "ivan")
	created, err := s.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{
		UserName: aws.String("ivan"), ServiceName: aws.String("codecommit.amazonaws.com"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := created.ServiceSpecificCredential
	if *c.ServiceUserName != "ivan-at-111122223333" || len(aws.ToString(c.ServicePassword)) != 44 ||
		!strings.HasPrefix(*c.ServiceSpecificCredentialId, "ACCA") || c.Status != types.StatusTypeActive {
		t.Errorf("created credential = %+v", c)
	}

	reset, err := s.iam.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{UserName: aws.String("ivan"), ServiceSpecificCredentialId: c.ServiceSpecificCredentialId})
	if err != nil {
		t.Fatal(err)
	}
	if p := aws.ToString(reset.ServiceSpecificCredential.ServicePassword); p == "" || p == *c.ServicePassword {
		t.Errorf("reset password = %q, want a new one", p)
	}

	if _, err := s.iam.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String("ivan"), ServiceSpecificCredentialId: c.ServiceSpecificCredentialId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	list, err := s.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("ivan")})
	if err != nil || len(list.ServiceSpecificCredentials) != 1 || list.ServiceSpecificCredentials[0].Status != types.StatusTypeInactive {
		t.Fatalf("ListServiceSpecificCredentials = %+v, %v", list, err)
	}

	// The password is never stored: only a hash sits in the state.
	s.sb.Server.World().RLock()
	u, _ := iamstate.Of(s.sb.Server.World().Accounts[s.account]).Users.Get("ivan")
	stored := *u.ServiceCreds[0]
	s.sb.Server.World().RUnlock()
	if stored.PasswordHash == "" || strings.Contains(stored.PasswordHash, *reset.ServiceSpecificCredential.ServicePassword) {
		t.Errorf("stored credential %+v keeps the password", stored)
	}

	if _, err := s.iam.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("ivan"), ServiceSpecificCredentialId: c.ServiceSpecificCredentialId}); err != nil {
		t.Fatal(err)
	}
	_, err = s.iam.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("ivan"), ServiceSpecificCredentialId: c.ServiceSpecificCredentialId})
	wantAPIError(t, err, "NoSuchEntity", "")
}

func TestServiceSpecificCredentialRules(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "judy")
	create := func(service string, days *int32) (*types.ServiceSpecificCredential, error) {
		out, err := s.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{
			UserName: aws.String("judy"), ServiceName: aws.String(service), CredentialAgeDays: days,
		})
		if err != nil {
			return nil, err
		}
		return out.ServiceSpecificCredential, nil
	}
	for range 2 {
		if _, err := create("cassandra.amazonaws.com", nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := create("cassandra.amazonaws.com", nil)
	wantAPIError(t, err, "LimitExceeded", "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2")
	_, err = create("s3.amazonaws.com", nil)
	wantAPIError(t, err, "NotSupportedService", "")
	_, err = create("codecommit.amazonaws.com", aws.Int32(30))
	wantAPIError(t, err, "ValidationError", "")

	key, err := create("bedrock.amazonaws.com", aws.Int32(30))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(key.ServiceCredentialAlias) == "" || aws.ToString(key.ServiceCredentialSecret) == "" || key.ServicePassword != nil || key.ExpirationDate == nil {
		t.Errorf("bedrock API key = %+v, want an alias, a secret and an expiry", key)
	}

	only, err := s.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("judy"), ServiceName: aws.String("bedrock.amazonaws.com")})
	if err != nil || len(only.ServiceSpecificCredentials) != 1 || aws.ToString(only.ServiceSpecificCredentials[0].ServiceCredentialAlias) != *key.ServiceCredentialAlias {
		t.Fatalf("filtered list = %+v, %v", only, err)
	}
	_, err = s.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("judy"), ServiceName: aws.String("s3.amazonaws.com")})
	wantAPIError(t, err, "NotSupportedService", "")
	_, err = s.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("judy"), AllUsers: aws.Bool(true)})
	wantAPIError(t, err, "ValidationError", "")
}

func TestServiceSpecificCredentialPagesAcrossUsers(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	for _, u := range []string{"k1", "k2", "k3"} {
		s.createUser(t, u)
		if _, err := s.iam.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String(u), ServiceName: aws.String("codecommit.amazonaws.com")}); err != nil {
			t.Fatal(err)
		}
	}
	owners := map[string]bool{}
	var marker *string
	for pages := 1; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination never ends")
		}
		out, err := s.iam.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range out.ServiceSpecificCredentials {
			owners[*c.UserName] = true
		}
		if !out.IsTruncated {
			if pages != 2 {
				t.Errorf("%d pages, want 2", pages)
			}
			break
		}
		marker = out.Marker
	}
	if len(owners) != 3 {
		t.Errorf("AllUsers listed credentials of %v, want k1, k2 and k3", owners)
	}
}
