package deliver

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// newTestFile builds the file channel writing under a fresh directory.
func newTestFile(t *testing.T, deps Deps) (*fileChannel, string) {
	t.Helper()
	deps.File.Dir = filepath.Join(t.TempDir(), "credentials")
	ch, err := New(spec.ChannelFile, deps)
	if err != nil {
		t.Fatal(err)
	}
	return ch.(*fileChannel), deps.File.Dir
}

// checkMode fails unless path has exactly mode perm.
func checkMode(t *testing.T, path string, perm os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != perm {
		t.Errorf("%s has mode %v, want %v", path, got, perm)
	}
}

// listFiles is every file under dir, relative to it.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestFileRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, kind, ext, header string
		newKey                  func(*testing.T) testKey
	}{
		{"age X25519", KeyAge, ".txt.age", "-----BEGIN AGE ENCRYPTED FILE-----", newAgeKey},
		{"age post-quantum", KeyAge, ".txt.age", "-----BEGIN AGE ENCRYPTED FILE-----", newHybridAgeKey},
		{"ssh-ed25519", KeySSH, ".txt.age", "-----BEGIN AGE ENCRYPTED FILE-----", newSSHEd25519Key},
		{"ssh-rsa", KeySSH, ".txt.age", "-----BEGIN AGE ENCRYPTED FILE-----", newSSHRSAKey},
		{"openpgp", KeyOpenPGP, ".txt.asc", "-----BEGIN PGP MESSAGE-----", newOpenPGPKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			own, other := tt.newKey(t), tt.newKey(t)
			ch, dir := newTestFile(t, Deps{})
			c := testCredential("en")
			c.PublicKey = own.public
			r, err := ch.Deliver(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "111122223333", "alice@example.com"+tt.ext)
			if r.Channel != "file" || r.MessageID != path || !strings.HasPrefix(r.Detail, "encrypted to ") ||
				!strings.HasSuffix(r.Detail, " ("+tt.kind+") in "+path) || strings.Contains(r.Detail, own.public) {
				t.Errorf("receipt = %+v; want the path and a shortened %s key", r, tt.kind)
			}
			checkMode(t, path, 0o600)
			checkMode(t, filepath.Dir(path), 0o700)
			if files := listFiles(t, dir); len(files) != 1 {
				t.Errorf("files %v; want only the credential (no temporary or plaintext file)", files)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(data, []byte(tt.header)) {
				t.Errorf("file starts %.40q; want armored %q", data, tt.header)
			}
			for _, plain := range []string{testPassword, "Subject:", c.SignInURL, "Password"} {
				if bytes.Contains(data, []byte(plain)) {
					t.Errorf("the file holds %q in plaintext", plain)
				}
			}
			got, err := own.decrypt(data)
			if err != nil {
				t.Fatalf("decrypting with the person's key: %v", err)
			}
			for _, want := range []string{"Subject: Your AWS sign-in details for example-prod\n\nHello Alice Example,",
				"User name:   alice@example.com\n", "Sign-in URL: " + c.SignInURL + "\n", "Password:    " + testPassword + "\n"} {
				if !strings.Contains(got, want) {
					t.Errorf("decrypted text lacks %q:\n%s", want, got)
				}
			}
			if got, err := other.decrypt(data); err == nil || strings.Contains(got, testPassword) {
				t.Errorf("another key decrypted the file: %v", err)
			}
		})
	}
}

func TestFileResendReplacesFile(t *testing.T) {
	t.Parallel()
	key := newAgeKey(t)
	ch, dir := newTestFile(t, Deps{})
	c := testCredential("en")
	c.PublicKey = key.public
	first, err := ch.Deliver(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	c.Password = "Second-password-9!"
	second, err := ch.Deliver(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if first.MessageID != second.MessageID {
		t.Errorf("paths %s and %s; want the same file", first.MessageID, second.MessageID)
	}
	if files := listFiles(t, dir); len(files) != 1 {
		t.Errorf("files %v; want one", files)
	}
	data, err := os.ReadFile(second.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := key.decrypt(data)
	if err != nil || !strings.Contains(got, "Second-password-9!") || strings.Contains(got, testPassword) {
		t.Errorf("after a resend the file holds %q, %v; want the new password only", got, err)
	}
	checkMode(t, second.MessageID, 0o600)

	// The person now gives an OpenPGP key: the age file, with a password no longer valid, goes.
	pgpKey := newOpenPGPKey(t)
	c.PublicKey, c.Password = pgpKey.public, "Third-password-9!"
	third, err := ch.Deliver(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if files := listFiles(t, dir); len(files) != 1 || files[0] != filepath.Join("111122223333", "alice@example.com.txt.asc") {
		t.Errorf("files %v; want only the OpenPGP file", files)
	}
	if data, err := os.ReadFile(third.MessageID); err != nil {
		t.Error(err)
	} else if got, err := pgpKey.decrypt(data); err != nil || !strings.Contains(got, "Third-password-9!") {
		t.Errorf("the OpenPGP file holds %q, %v; want the third password", got, err)
	}
}

func TestFileJapanese(t *testing.T) {
	t.Parallel()
	key := newOpenPGPKey(t)
	ch, _ := newTestFile(t, Deps{Language: "ja"})
	c := testCredential("ja")
	c.Language = "" // the channel's language applies
	c.PublicKey = key.public
	r, err := ch.Deliver(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(r.MessageID, filepath.Join("111122223333", "hanako@example.com.txt.asc")) {
		t.Errorf("path %s", r.MessageID)
	}
	data, err := os.ReadFile(r.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := key.decrypt(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Subject: AWS アカウントのサインイン情報（example-prod）\n\n山田 花子 様", "ユーザー名：hanako@example.com", "パスワード：" + testPassword} {
		if !strings.Contains(got, want) {
			t.Errorf("decrypted text lacks %q:\n%s", want, got)
		}
	}
}

func TestFileRejects(t *testing.T) {
	t.Parallel()
	ageKey := newAgeKey(t)
	expiring := newEntity(t, &packet.Config{KeyLifetimeSecs: 3600})
	tests := []struct {
		name  string
		edit  func(*Credential, *fileChannel)
		wants []string
	}{
		{"no public key", func(c *Credential, _ *fileChannel) { c.PublicKey = "" },
			[]string{"no public key for user (alice@example.com) in account (111122223333): set public_key or public_key_file for them in the spec"}},
		{"blank public key", func(c *Credential, _ *fileChannel) { c.PublicKey = " \n" }, []string{"no public key for user (alice@example.com)"}},
		{"parent directory", func(c *Credential, _ *fileChannel) { c.UserName = ".." }, []string{`user name ".." cannot be a file name`}},
		{"path", func(c *Credential, _ *fileChannel) { c.UserName = "../../etc/passwd" }, []string{`user name "../../etc/passwd" cannot be a file name`}},
		{"hidden", func(c *Credential, _ *fileChannel) { c.UserName = ".profile" }, []string{`user name ".profile" cannot be a file name`}},
		{"account path", func(c *Credential, _ *fileChannel) { c.Account = "1111/../.." }, []string{`account "1111/../.." cannot be a file name`}},
		{"no account", func(c *Credential, _ *fileChannel) { c.Account = "" }, []string{`account "" cannot be a file name`}},
		{"garbage key", func(c *Credential, _ *fileChannel) { c.PublicKey = "hunter2" }, []string{"the person's public key: unrecognised public key: expected an age recipient"}},
		{"expired by delivery", func(c *Credential, f *fileChannel) {
			c.PublicKey = armoredPublic(t, expiring)
			f.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
		}, []string{"cannot be encrypted to: it expired on", "gpg --quick-set-expire"}},
		{"unknown language", func(c *Credential, _ *fileChannel) { c.Language = "de" }, []string{`unknown template language "de"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, dir := newTestFile(t, Deps{})
			c := testCredential("en")
			c.PublicKey = ageKey.public
			tt.edit(&c, ch)
			r, err := ch.Deliver(context.Background(), c)
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("Deliver = %+v, %v; want ErrRejected", r, err)
			}
			for _, want := range tt.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("error %q holds the password", err)
			}
			if files := listFiles(t, filepath.Dir(dir)); len(files) != 0 {
				t.Errorf("files %v written; want none", files)
			}
		})
	}
}

func TestFileWriteErrorIsRetryable(t *testing.T) {
	t.Parallel()
	ch, dir := newTestFile(t, Deps{})
	// A file where the account's directory belongs: writing must fail.
	if err := os.WriteFile(filepath.Join(dir, "111122223333"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c := testCredential("en")
	c.PublicKey = newAgeKey(t).public
	_, err := ch.Deliver(context.Background(), c)
	if err == nil || errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), filepath.Join(dir, "111122223333")) ||
		strings.Contains(err.Error(), testPassword) {
		t.Errorf("Deliver error = %v; want a retryable error naming the directory, without the password", err)
	}
}

func TestNewFile(t *testing.T) {
	t.Parallel()
	occupied := filepath.Join(t.TempDir(), "occupied")
	if err := os.WriteFile(occupied, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		deps Deps
		want string // error text; "" for success
	}{
		{"creates nested dir", Deps{File: FileConfig{Dir: filepath.Join(t.TempDir(), "a", "b")}}, ""},
		{"existing dir", Deps{File: FileConfig{Dir: t.TempDir()}}, ""},
		{"dir is a file", Deps{File: FileConfig{Dir: occupied}}, "is not a directory; choose another with delivery.file.dir in the spec or --file-dir"},
		{"dir under a file", Deps{File: FileConfig{Dir: filepath.Join(occupied, "sub")}}, "checking the credentials directory"},
		{"HTML only", Deps{File: FileConfig{Dir: t.TempDir()}, Template: spec.Template{HTML: "<p>{{.Password}}</p>"}}, "add a text template (delivery.template.text)"},
		{"bad template", Deps{File: FileConfig{Dir: t.TempDir()}, Template: spec.Template{Text: "{{.Missing}}"}}, "rendering the delivery.template.text template"},
		{"bad language", Deps{File: FileConfig{Dir: t.TempDir()}, Language: "xx"}, `unknown template language "xx"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, err := New(spec.ChannelFile, tt.deps)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) || ch != nil {
					t.Errorf("New = %v, %v; want an error with %q", ch, err, tt.want)
				}
				return
			}
			if err != nil || ch.Name() != "file" {
				t.Fatalf("New = %v, %v", ch, err)
			}
			if tt.name == "creates nested dir" {
				checkMode(t, tt.deps.File.Dir, 0o700)
				checkMode(t, filepath.Dir(tt.deps.File.Dir), 0o700)
			}
			if files := listFiles(t, tt.deps.File.Dir); len(files) != 0 {
				t.Errorf("files %v left behind; want the probe removed", files)
			}
			if err := ch.Close(); err != nil {
				t.Error(err)
			}
		})
	}
}

// Not parallel: it changes the working directory.
func TestNewFileDefaultDir(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if _, err := New(spec.ChannelFile, Deps{}); err != nil {
		t.Fatal(err)
	}
	checkMode(t, filepath.Join(dir, "credentials"), 0o700)
}
