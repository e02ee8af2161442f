package deliver_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/ProtonMail/go-crypto/openpgp"
	pgparmor "github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/deliver/delivertest"
)

func TestSuiteFileAge(t *testing.T) {
	delivertest.Run(t, func(t *testing.T) *delivertest.Harness { return fileHarness(t, newSuiteAgeKey) })
}

func TestSuiteFileOpenPGP(t *testing.T) {
	delivertest.Run(t, func(t *testing.T) *delivertest.Harness { return fileHarness(t, newSuiteOpenPGPKey) })
}

// suiteKey is a key pair made for one person: the public key as they would
// give it, and decryption with their private key.
type suiteKey struct {
	public  string
	decrypt func(ciphertext []byte) (string, error)
}

// fileHarness writes into a fresh directory, each person's file encrypted
// to a key made for them; they recover the password by decrypting it.
func fileHarness(t *testing.T, newKey func(*testing.T) suiteKey) *delivertest.Harness {
	dir := filepath.Join(t.TempDir(), "credentials")
	good := deliver.Deps{File: deliver.FileConfig{Dir: dir}}
	occupied := filepath.Join(t.TempDir(), "occupied")
	if err := os.WriteFile(occupied, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	keys := map[string]suiteKey{} // by public key
	read := func(t *testing.T, c deliver.Credential, pattern string) []string {
		return decryptAll(t, keys[c.PublicKey], pattern)
	}
	return &delivertest.Harness{
		Name: "file",
		Deps: good,
		Person: func(i int) deliver.Credential {
			k := newKey(t)
			keys[k.public] = k
			c := emailPerson(i)
			c.PublicKey = k.public
			return c
		},
		Received: func(t *testing.T, c deliver.Credential) []string {
			var got []string
			for _, text := range read(t, c, filepath.Join(dir, c.Account, c.UserName+".txt.*")) {
				got = append(got, delivertest.PasswordIn(text))
			}
			return got
		},
		// A person's accounts delivered together are one file in a
		// directory named after their e-mail address.
		ReceivedAll: func(t *testing.T, c deliver.Credential) []map[string]string {
			var got []map[string]string
			for _, text := range read(t, c, filepath.Join(dir, c.Email, "*.txt.*")) {
				got = append(got, delivertest.AccountsIn(text))
			}
			return got
		},
		Exposed: func(t *testing.T) []string { return filesUnder(t, dir) },
		// Without a key nothing can be encrypted to the person; runenv checks
		// keys before a run, so this is the channel's own guard.
		Unreachable: func(c *deliver.Credential) { c.PublicKey = "" },
		BadSetups: []delivertest.BadSetup{
			{Name: "the directory is a file", Deps: with(good, func(d *deliver.Deps) { d.File.Dir = occupied }), Want: "is not a directory"},
			{Name: "a template with an HTML body alone", Deps: with(good, func(d *deliver.Deps) { d.Template.HTML = "<p>{{.Password}}</p>" }),
				Want: "add a text template (delivery.template.text)"},
			{Name: "an unknown language", Deps: with(good, func(d *deliver.Deps) { d.Language = "xx" }), Want: `unknown template language "xx"`},
			noPasswordTemplate(good),
			listWithoutPasswords(good),
		},
	}
}

// decryptAll decrypts with key the files pattern matches.
func decryptAll(t *testing.T, key suiteKey, pattern string) []string {
	files, _ := filepath.Glob(pattern)
	var got []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text, err := key.decrypt(data)
		if err != nil {
			t.Errorf("decrypting %s with the person's key: %v", f, err)
		}
		got = append(got, text)
	}
	return got
}

// filesUnder is the content of every file under dir: what anyone who can
// read the directory sees.
func filesUnder(t *testing.T, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		out = append(out, string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newSuiteAgeKey(t *testing.T) suiteKey {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return suiteKey{public: id.Recipient().String(), decrypt: func(b []byte) (string, error) {
		r, err := age.Decrypt(armor.NewReader(bytes.NewReader(b)), id)
		if err != nil {
			return "", err
		}
		text, err := io.ReadAll(r)
		return string(text), err
	}}
}

func newSuiteOpenPGPKey(t *testing.T) suiteKey {
	e, err := openpgp.NewEntity("Person", "gatehouse suite", "person@example.com", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	w, err := pgparmor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return suiteKey{public: pub.String(), decrypt: func(b []byte) (string, error) {
		block, err := pgparmor.Decode(bytes.NewReader(b))
		if err != nil {
			return "", err
		}
		md, err := openpgp.ReadMessage(block.Body, openpgp.EntityList{e}, nil, nil)
		if err != nil {
			return "", err
		}
		text, err := io.ReadAll(md.UnverifiedBody)
		return strings.TrimSpace(string(text)), err
	}}
}
