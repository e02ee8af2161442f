package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestAccountAliases(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	other := e.client("444455556666", "sandbox-secret")
	create := func(c *iam.Client, alias string) error {
		return justErr(c.CreateAccountAlias(e.ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(alias)}))
	}
	aliases := func(c *iam.Client) []string {
		out, err := c.ListAccountAliases(e.ctx, &iam.ListAccountAliasesInput{})
		e.must("listing aliases", err)
		return out.AccountAliases
	}

	if got := aliases(e.iam); len(got) != 0 {
		t.Fatalf("fresh account aliases = %v", got)
	}
	e.must("creating acme-prod", create(e.iam, "acme-prod"))
	// Aliases are unique across accounts.
	expectError(t, create(other, "acme-prod"), "EntityAlreadyExists", "The account alias acme-prod already exists.")
	// An account has one alias: a new one replaces it.
	e.must("creating acme-main", create(e.iam, "acme-main"))
	if got := aliases(e.iam); len(got) != 1 || got[0] != "acme-main" {
		t.Errorf("aliases = %v, want [acme-main]", got)
	}
	e.must("other account takes the freed alias", create(other, "acme-prod"))

	_, err := e.iam.DeleteAccountAlias(e.ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme-prod")})
	expectError(t, err, "NoSuchEntity", "The account alias acme-prod cannot be found.")
	e.must("deleting acme-main", justErr(e.iam.DeleteAccountAlias(e.ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme-main")})))
	if got := aliases(e.iam); len(got) != 0 {
		t.Errorf("aliases after delete = %v", got)
	}

	for _, bad := range []string{"Acme", "ac", "-acme", "acme-", "ac--me", "acme_prod"} {
		t.Run(bad, func(t *testing.T) {
			expectError(t, create(e.iam, bad), "ValidationError", "")
		})
	}
}
