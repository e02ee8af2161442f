package deliver

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"io"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/armor"
	"github.com/ProtonMail/go-crypto/openpgp"
	pgparmor "github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"golang.org/x/crypto/ssh"
)

// The keys in these tests are made when the tests run; none is committed.

// testKey is a key pair made for one test: the public key as a person would
// give it, and decryption with the private key.
type testKey struct {
	public  string
	decrypt func(ciphertext []byte) (string, error)
}

func decryptAge(ciphertext []byte, id age.Identity) (string, error) {
	r, err := age.Decrypt(armor.NewReader(bytes.NewReader(ciphertext)), id)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

func newAgeKey(t *testing.T) testKey {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return testKey{id.Recipient().String(), func(b []byte) (string, error) { return decryptAge(b, id) }}
}

func newHybridAgeKey(t *testing.T) testKey {
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return testKey{id.Recipient().String(), func(b []byte) (string, error) { return decryptAge(b, id) }}
}

func newSSHEd25519Key(t *testing.T) testKey {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := agessh.NewEd25519Identity(priv)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{authorizedKey(t, pub), func(b []byte) (string, error) { return decryptAge(b, id) }}
}

func newSSHRSAKey(t *testing.T) testKey {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	id, err := agessh.NewRSAIdentity(priv)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{authorizedKey(t, &priv.PublicKey), func(b []byte) (string, error) { return decryptAge(b, id) }}
}

// authorizedKey is pub as one line of a .pub file.
func authorizedKey(t *testing.T, pub any) string {
	t.Helper()
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " alice@laptop"
}

// newEntity makes an OpenPGP key (EdDSA with a Curve25519 encryption subkey,
// quick to generate); cfg may set its creation time and lifetime.
func newEntity(t *testing.T, cfg *packet.Config) *openpgp.Entity {
	t.Helper()
	if cfg == nil {
		cfg = &packet.Config{}
	}
	cfg.Algorithm = packet.PubKeyAlgoEdDSA
	e, err := openpgp.NewEntity("Alice Example", "gatehouse test key", "alice@example.com", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// armoredPublic is the entities' public keys in one armored block, as gpg --armor --export prints them.
func armoredPublic(t *testing.T, es ...*openpgp.Entity) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := pgparmor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if err := e.Serialize(w); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func newOpenPGPKey(t *testing.T) testKey {
	e := newEntity(t, nil)
	return testKey{armoredPublic(t, e), func(b []byte) (string, error) {
		block, err := pgparmor.Decode(bytes.NewReader(b))
		if err != nil {
			return "", err
		}
		md, err := openpgp.ReadMessage(block.Body, openpgp.EntityList{e}, nil, nil)
		if err != nil {
			return "", err
		}
		got, err := io.ReadAll(md.UnverifiedBody)
		return string(got), err
	}}
}

// armoredPrivate is e's private key block, as gpg --armor --export-secret-keys prints it.
func armoredPrivate(t *testing.T, e *openpgp.Entity) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := pgparmor.Encode(&buf, openpgp.PrivateKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SerializePrivate(w, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func openSSHPrivate(t *testing.T) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "alice@laptop")
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(block))
}

func TestCheckPublicKey(t *testing.T) {
	t.Parallel()
	ageID, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signOnly := newEntity(t, nil)
	signOnly.Subkeys = nil // the primary EdDSA key signs and certifies only
	revoked := newEntity(t, nil)
	if err := revoked.RevokeKey(packet.KeyRetired, "retired", nil); err != nil {
		t.Fatal(err)
	}
	expired := newEntity(t, &packet.Config{Time: func() time.Time { return time.Now().Add(-48 * time.Hour) }, KeyLifetimeSecs: 3600})
	valid := armoredPublic(t, newEntity(t, nil))
	tests := []struct {
		name, key, kind string
		want            string // error text; "" for success
	}{
		{"age", ageID.Recipient().String(), KeyAge, ""},
		{"age with spaces around", "\n " + ageID.Recipient().String() + "\n", KeyAge, ""},
		{"age post-quantum", newHybridAgeKey(t).public, KeyAge, ""},
		{"ssh-ed25519", newSSHEd25519Key(t).public, KeySSH, ""},
		{"openpgp", valid, KeyOpenPGP, ""},
		{"openpgp after text", "Alice's key:\n\n" + valid, KeyOpenPGP, ""},
		{"empty", "", "", "no public key: expected an age recipient (age1…"},
		{"garbage", "correct horse battery staple", "", "unrecognised public key: expected an age recipient (age1…"},
		{"PEM public key", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n", "", "unrecognised public key"},
		{"bad age checksum", badChecksum(ageID.Recipient().String()), "", "parsing the age recipient"},
		{"age plugin", "age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t", "", "age plugin recipients (age1yubikey1…) are not supported"},
		{"ssh ecdsa", authorizedKey(t, &ecKey.PublicKey), "", "SSH key type ecdsa-sha2-nistp256 cannot be encrypted to: give an ssh-ed25519 or ssh-rsa key"},
		{"ssh truncated", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", "", "parsing the SSH public key"},
		{"two ssh keys", newSSHEd25519Key(t).public + "\n" + newSSHEd25519Key(t).public, "", "more than one key"},
		{"openpgp sign-only", armoredPublic(t, signOnly), "", "has no usable encryption subkey"},
		{"openpgp revoked", armoredPublic(t, revoked), "", "it is revoked; ask the person for their current key"},
		{"openpgp expired", armoredPublic(t, expired), "", "it expired on " + time.Now().Add(-47*time.Hour).UTC().Format("2006-01-02")},
		{"openpgp two keys", armoredPublic(t, newEntity(t, nil), newEntity(t, nil)), "", "it holds 2 keys; give the person's one key"},
		{"openpgp damaged", strings.Replace(valid, "\n", "\n!!", 3), "", "reading the OpenPGP public key block"},
		{"age identity", ageID.String(), "", "this is a private key (an age identity), not a public key: give its recipient (age1…)"},
		{"openpgp private key", armoredPrivate(t, newEntity(t, nil)), "", "this is a private key (an OpenPGP private key block)"},
		{"ssh private key", openSSHPrivate(t), "", "this is a private key (an SSH or PEM private key)"},
		{"putty private key", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nAAAAIGtlc3Qta2V5LW5vdC1yZWFsLWp1c3QtYS10ZXN0\n", "", "this is a private key (a PuTTY private key file)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kind, err := CheckPublicKey(tt.key)
			if tt.want == "" {
				if err != nil || kind != tt.kind {
					t.Errorf("CheckPublicKey = %q, %v; want %q", kind, err, tt.kind)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || kind != "" {
				t.Fatalf("CheckPublicKey = %q, %v; want an error with %q", kind, err, tt.want)
			}
			if tt.kind == "" && !strings.HasPrefix(tt.key, "age1") && !strings.HasPrefix(tt.key, "ssh-") {
				checkNotQuoted(t, err.Error(), tt.key)
			}
		})
	}
}

// checkNotQuoted fails when msg repeats any line of key (besides armor
// header lines), so that a secret pasted as a key does not reach the terminal.
func checkNotQuoted(t *testing.T, msg, key string) {
	t.Helper()
	for _, line := range strings.Split(key, "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 8 && !strings.HasPrefix(line, "-----") && strings.Contains(msg, line) {
			t.Errorf("error %q quotes the key's line %q", msg, line)
		}
		if len(line) > 24 && !strings.HasPrefix(line, "-----") && strings.Contains(msg, line[len(line)-24:]) {
			t.Errorf("error %q quotes the end of the key's line %q", msg, line)
		}
	}
}

// badChecksum changes recipient's last character, which is part of its
// checksum, to another: always "q" failed one run in 32, when it was "q".
func badChecksum(recipient string) string {
	last := recipient[len(recipient)-1]
	swap := byte('q')
	if last == swap {
		swap = 'p'
	}
	return recipient[:len(recipient)-1] + string(swap)
}
