package deliver

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A person's accounts delivered together are one file, named after the
// accounts, in a directory named after the person: it replaces the files
// of those accounts alone (their passwords are superseded) and the earlier
// file for the same accounts, and leaves every other file as it is.
func TestFileDeliverAllWritesOneFilePerPersonAndAccounts(t *testing.T) {
	t.Parallel()
	key := newAgeKey(t)
	ch, dir := newTestFile(t, Deps{})
	cs := testCredentials("en")
	for i := range cs {
		cs[i].PublicKey = key.public
	}
	ctx := context.Background()
	old := cs[1]
	old.Password = "Old-password-1!"
	other := cs[0]
	other.Account, other.Password = "999988887777", "Other-account-1!"
	for _, c := range []Credential{old, other} {
		if _, err := ch.Deliver(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	r, err := ch.DeliverAll(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join("alice@example.com", "111122223333+222233334444+333344445555.txt.age")
	if r.MessageID != filepath.Join(dir, want) || !strings.Contains(r.Detail, want) {
		t.Errorf("receipt %+v; want the file %s", r, want)
	}
	if files := listFiles(t, dir); !slices.Equal(files, []string{filepath.Join("999988887777", "alice@example.com.txt.age"), want}) {
		t.Errorf("files %v; want the other account's and the one for three accounts (the superseded one removed)", files)
	}
	checkMode(t, r.MessageID, 0o600)
	checkMode(t, filepath.Dir(r.MessageID), 0o700)
	text := decryptFile(t, key, r.MessageID)
	for _, c := range cs {
		if !strings.Contains(text, "Password:    "+c.Password+"\n") || !strings.Contains(text, c.SignInURL) {
			t.Errorf("the file lacks account %s's password or sign-in URL:\n%s", c.Account, text)
		}
	}
	if !strings.HasPrefix(text, "Subject: Your AWS sign-in details for 3 accounts\n\n") {
		t.Errorf("the file starts %q", text[:60])
	}

	two := []Credential{cs[2], cs[0]} // other accounts, in another order
	two[0].Password, two[1].Password = "Two-a-password-1!", "Two-b-password-1!"
	if _, err := ch.DeliverAll(ctx, two); err != nil {
		t.Fatal(err)
	}
	again := slices.Clone(cs)
	slices.Reverse(again)
	again[0].Password = "Again-password-1!"
	if r2, err := ch.DeliverAll(ctx, again); err != nil || r2.MessageID != r.MessageID {
		t.Fatalf("the same accounts again: %+v, %v; want the same file", r2, err)
	}
	if text := decryptFile(t, key, r.MessageID); !strings.Contains(text, "Again-password-1!") {
		t.Errorf("the file for the same accounts was not replaced:\n%s", text)
	}
	if files := listFiles(t, dir); len(files) != 3 || !slices.Contains(files, filepath.Join("alice@example.com", "111122223333+333344445555.txt.age")) {
		t.Errorf("files %v; want the file for two accounts beside the one for three", files)
	}
}

func decryptFile(t *testing.T, key testKey, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text, err := key.decrypt(data)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func TestFileDeliverAllRefuses(t *testing.T) {
	t.Parallel()
	ch, dir := newTestFile(t, Deps{})
	k1, k2 := newAgeKey(t), newAgeKey(t)
	cs := testCredentials("en")
	for i := range cs {
		cs[i].PublicKey = k1.public
	}
	twoKeys := slices.Clone(cs)
	twoKeys[2].PublicKey = k2.public
	pathInName := slices.Clone(cs)
	pathInName[1].Account = "../elsewhere"
	noEmail := slices.Clone(cs)
	for i := range noEmail {
		noEmail[i].Email = ""
	}
	noEmail[1].UserName = ".hidden"
	tests := map[string]struct {
		cs   []Credential
		want string
	}{
		"two public keys":       {twoKeys, "their public keys differ"},
		"a path for an account": {pathInName, `the account "../elsewhere" cannot be a file name`},
		"a hidden user name":    {noEmail, `the user name ".hidden" cannot be a file name`},
		"more than MaxBatch":    {slices.Repeat(cs[:1], MaxBatch+1), "one message carries 1 to 100 credentials, not 101"},
		"a public key for none": {[]Credential{{Account: "1", UserName: "a"}, {Account: "2", UserName: "a"}}, "no public key for user (a) in accounts (1, 2)"},
	}
	for name, tt := range tests {
		_, err := ch.DeliverAll(context.Background(), tt.cs)
		if err == nil || !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want a rejection with %q", name, err, tt.want)
		}
	}
	if files := listFiles(t, dir); len(files) != 0 {
		t.Errorf("files %v after refusals", files)
	}
}
