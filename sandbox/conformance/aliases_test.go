package conformance

import "testing"

func TestAccountAliasesCLI(t *testing.T) {
	cli := newCLI(t)
	other := newCLIFor(t, cli.srv, freshAccount())
	if n := length(cli.Run("iam", "list-account-aliases"), "AccountAliases"); n != 0 {
		t.Fatalf("a fresh account has %d aliases", n)
	}
	alias := "gh-" + cli.Account
	cli.Run("iam", "create-account-alias", "--account-alias", alias)
	out := cli.Run("iam", "list-account-aliases")
	if length(out, "AccountAliases") != 1 || str(out, "AccountAliases", 0) != alias {
		t.Errorf("list-account-aliases = %v", out)
	}
	// Aliases are unique across all accounts.
	if msg := other.Fail("EntityAlreadyExists", "iam", "create-account-alias", "--account-alias", alias); msg != "The account alias "+alias+" already exists." {
		t.Errorf("message = %q", msg)
	}
	// One alias per account: a new one replaces the old, which is then free.
	cli.Run("iam", "create-account-alias", "--account-alias", alias+"-main")
	if got := str(cli.Run("iam", "list-account-aliases"), "AccountAliases", 0); got != alias+"-main" {
		t.Errorf("alias after replacement = %q", got)
	}
	other.Run("iam", "create-account-alias", "--account-alias", alias)

	if msg := cli.Fail("NoSuchEntity", "iam", "delete-account-alias", "--account-alias", alias); msg != "The account alias "+alias+" cannot be found." {
		t.Errorf("message = %q", msg)
	}
	cli.Run("iam", "delete-account-alias", "--account-alias", alias+"-main")
	if n := length(cli.Run("iam", "list-account-aliases"), "AccountAliases"); n != 0 {
		t.Errorf("aliases after delete = %d", n)
	}

	noClientValidation(t, cli)
	for _, bad := range []string{"Upper", "ab", "-lead", "trail-", "dou--ble", "under_score"} {
		cli.Fail("ValidationError", "iam", "create-account-alias", "--account-alias="+bad) // "=": -lead is no flag
	}
}
