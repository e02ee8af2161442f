package conformance

import (
	"strings"
	"testing"
)

func TestSecretsManagerGetRandomPassword(t *testing.T) {
	cli := newCLI(t)
	pw := str(cli.Run("secretsmanager", "get-random-password"), "RandomPassword")
	if len(pw) != 32 || !strings.ContainsAny(pw, "0123456789") || !strings.ContainsAny(pw, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") ||
		!strings.ContainsAny(pw, "abcdefghijklmnopqrstuvwxyz") || !strings.ContainsAny(pw, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		t.Errorf("default password %q: want 32 characters with every type", pw)
	}
	pw = str(cli.Run("secretsmanager", "get-random-password", "--password-length", "20", "--exclude-punctuation",
		"--exclude-characters", "0O1lI", "--include-space", "--require-each-included-type"), "RandomPassword")
	if len(pw) != 20 || strings.ContainsAny(pw, "0O1lI!#@") || !strings.Contains(pw, " ") {
		t.Errorf("password %q breaks its options", pw)
	}
	pw = str(cli.Run("secretsmanager", "get-random-password", "--password-length", "6", "--exclude-uppercase", "--exclude-lowercase",
		"--exclude-punctuation", "--no-require-each-included-type"), "RandomPassword")
	if len(pw) != 6 || strings.Trim(pw, "0123456789") != "" {
		t.Errorf("digits-only password = %q", pw)
	}
	msg := cli.Fail("InvalidParameterException", "secretsmanager", "get-random-password", "--password-length", "3")
	if msg != "Password length is too short based on the required types." {
		t.Errorf("too-short message = %q", msg)
	}
	cli.Fail("InvalidParameterException", "secretsmanager", "get-random-password", "--exclude-uppercase", "--exclude-lowercase",
		"--exclude-numbers", "--exclude-punctuation")
	cli.Fail("ValidationException", "secretsmanager", "get-random-password", "--password-length", "4097")
}
