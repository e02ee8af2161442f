package deliver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/armor"
	"github.com/ProtonMail/go-crypto/openpgp"
	pgparmor "github.com/ProtonMail/go-crypto/openpgp/armor"
	"golang.org/x/crypto/ssh"
)

// Kinds of public key the file channel encrypts to (CheckPublicKey).
const (
	KeyAge     = "age"     // an age recipient: age1… (X25519) or age1pq1… (post-quantum hybrid)
	KeySSH     = "ssh"     // an SSH public key age can encrypt to: ssh-ed25519 or ssh-rsa
	KeyOpenPGP = "openpgp" // an armored OpenPGP public key block
)

// expectedKeys ends every error about a key that is not one: it says what is.
const expectedKeys = "expected an age recipient (age1…, as age-keygen -y prints it), " +
	"an SSH public key (ssh-ed25519 … or ssh-rsa …, one line of a .pub file) " +
	"or an armored OpenPGP public key block (-----BEGIN PGP PUBLIC KEY BLOCK-----, as gpg --armor --export prints it)"

const pgpPublicKeyHeader = "-----BEGIN PGP PUBLIC KEY BLOCK-----"

// CheckPublicKey parses key as the file channel will and reports its kind
// (KeyAge, KeySSH or KeyOpenPGP), so a key that cannot be encrypted to — a
// typo, a private key pasted by mistake, an expired or revoked OpenPGP key —
// is reported before any user is created. Errors quote nothing that may be
// a secret: only an age recipient, which is public, can appear in them.
func CheckPublicKey(key string) (kind string, err error) {
	k, err := parsePublicKey(key, time.Now())
	if err != nil {
		return "", err
	}
	return k.kind, nil
}

// publicKey is a parsed Credential.PublicKey.
type publicKey struct {
	kind  string
	label string        // the key shortened for receipts: age1qy…a3xz, a fingerprint
	age   age.Recipient // KeyAge and KeySSH
	pgp   *openpgp.Entity
}

// parsePublicKey recognises key by its form; now decides whether an OpenPGP
// key has expired.
func parsePublicKey(key string, now time.Time) (publicKey, error) {
	key = strings.TrimSpace(key)
	switch {
	case key == "":
		return publicKey{}, errors.New("no public key: " + expectedKeys)
	case privateKeyKind(key) != "":
		return publicKey{}, privateKeyError(privateKeyKind(key))
	case strings.HasPrefix(key, "age1"):
		return parseAgeKey(key)
	case strings.HasPrefix(key, "ssh-") || strings.HasPrefix(key, "ecdsa-") || strings.HasPrefix(key, "sk-"):
		return parseSSHKey(key)
	case strings.Contains(key, pgpPublicKeyHeader):
		return parseOpenPGPKey(key, now)
	}
	return publicKey{}, errors.New("unrecognised public key: " + expectedKeys)
}

// privateKeyKind names the private key in key, or returns "".
func privateKeyKind(key string) string {
	upper := strings.ToUpper(key)
	switch {
	case strings.Contains(upper, "AGE-SECRET-KEY-"), strings.Contains(upper, "AGE-PLUGIN-"):
		return "an age identity"
	case strings.Contains(upper, "BEGIN PGP PRIVATE KEY BLOCK"):
		return "an OpenPGP private key block"
	case strings.Contains(upper, "PRIVATE KEY-----"):
		return "an SSH or PEM private key"
	case strings.Contains(upper, "PUTTY-USER-KEY-FILE"):
		return "a PuTTY private key file"
	}
	return ""
}

// privateKeyError says what to give instead, without a word of the key.
func privateKeyError(kind string) error {
	give := "the public key: " + expectedKeys
	switch {
	case strings.HasPrefix(kind, "an age"):
		give = "its recipient (age1…), which age-keygen -y KEYFILE prints"
	case strings.HasPrefix(kind, "an OpenPGP"):
		give = "the public key, which gpg --armor --export KEYID prints"
	case strings.HasPrefix(kind, "an SSH"):
		give = "the public key, in the .pub file next to it (ssh-keygen -y -f KEYFILE prints it)"
	case strings.HasPrefix(kind, "a PuTTY"):
		give = "the public key, which puttygen KEYFILE -O public-openssh prints"
	}
	return fmt.Errorf("this is a private key (%s), not a public key: give %s; "+
		"the private key has been copied where others may read it, so its owner should make a new key pair", kind, give)
}

func parseAgeKey(key string) (publicKey, error) {
	var (
		r   age.Recipient
		err error
	)
	if strings.HasPrefix(key, "age1pq1") {
		r, err = age.ParseHybridRecipient(key)
	} else {
		r, err = age.ParseX25519Recipient(key)
	}
	if err != nil {
		// age's error quotes the recipient, which is public.
		return publicKey{}, fmt.Errorf("parsing the age recipient: %w; expected one line as age-keygen -y prints it "+
			"(age1 and 58 letters and digits, or age1pq1…); age plugin recipients (age1yubikey1…) are not supported", err)
	}
	return publicKey{kind: KeyAge, label: shorten(key), age: r}, nil
}

// parseSSHKey reads one authorized_keys line. agessh's own parser is not used
// because its errors quote the input.
func parseSSHKey(key string) (publicKey, error) {
	pub, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(key))
	if err != nil {
		return publicKey{}, fmt.Errorf("parsing the SSH public key: %w; expected one line of a .pub file (ssh-ed25519 AAAA… or ssh-rsa AAAA…)", err)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return publicKey{}, errors.New("parsing the SSH public key: there is more than one key; give the person's one key")
	}
	var r age.Recipient
	switch t := pub.Type(); t {
	case ssh.KeyAlgoED25519:
		r, err = agessh.NewEd25519Recipient(pub)
	case ssh.KeyAlgoRSA:
		r, err = agessh.NewRSARecipient(pub)
	default:
		return publicKey{}, fmt.Errorf("SSH key type %s cannot be encrypted to: give an ssh-ed25519 or ssh-rsa key, or an age recipient (age-keygen makes one)", t)
	}
	if err != nil {
		return publicKey{}, fmt.Errorf("using the %s key: %w; give an ssh-ed25519 key (ssh-keygen -t ed25519 makes one) or an age recipient", pub.Type(), err)
	}
	return publicKey{kind: KeySSH, label: pub.Type() + " " + ssh.FingerprintSHA256(pub), age: r}, nil
}

func parseOpenPGPKey(key string, now time.Time) (publicKey, error) {
	ents, err := openpgp.ReadArmoredKeyRing(strings.NewReader(key))
	if err != nil {
		return publicKey{}, fmt.Errorf("reading the OpenPGP public key block: %w; give the whole block that gpg --armor --export KEYID prints", err)
	}
	if len(ents) != 1 {
		return publicKey{}, fmt.Errorf("reading the OpenPGP public key block: it holds %d keys; give the person's one key (gpg --armor --export KEYID)", len(ents))
	}
	e := ents[0]
	fpr := fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)
	if _, ok := e.EncryptionKey(now); !ok {
		return publicKey{}, fmt.Errorf("OpenPGP key %s cannot be encrypted to: %s", fpr, whyNoEncryptionKey(e, fpr, now))
	}
	return publicKey{kind: KeyOpenPGP, label: fpr, pgp: e}, nil
}

// whyNoEncryptionKey explains why e has no usable encryption key, and what
// its owner can do.
func whyNoEncryptionKey(e *openpgp.Entity, fpr string, now time.Time) string {
	const send = "and send the updated public key"
	sig, _ := e.PrimarySelfSignature()
	switch {
	case e.Revoked(now):
		return "it is revoked; ask the person for their current key"
	case sig == nil:
		return "it has no valid self-signature; ask the person to export it again with gpg --armor --export " + fpr
	case e.PrimaryKey.KeyExpired(sig, now) || sig.SigExpired(now):
		when := "already"
		if sig.KeyLifetimeSecs != nil && *sig.KeyLifetimeSecs != 0 {
			when = "on " + e.PrimaryKey.CreationTime.Add(time.Duration(*sig.KeyLifetimeSecs)*time.Second).UTC().Format("2006-01-02")
		}
		return fmt.Sprintf("it expired %s; ask the person to extend it (gpg --quick-set-expire %s 1y) %s", when, fpr, send)
	}
	return fmt.Sprintf("it has no usable encryption subkey (it may only sign, or its encryption subkeys are expired or revoked); "+
		"ask the person to add one (gpg --quick-add-key %s cv25519 encr) %s", fpr, send)
}

// shorten keeps the ends of a long key: enough to tell keys apart in a report.
func shorten(key string) string {
	if len(key) <= 16 {
		return key
	}
	return key[:8] + "…" + key[len(key)-4:]
}

// ext is the file name suffix of what encrypt writes.
func (k publicKey) ext() string {
	if k.pgp != nil {
		return ".txt.asc"
	}
	return ".txt.age"
}

// otherExt is the suffix of files encrypted to a key of the other format.
func (k publicKey) otherExt() string {
	if k.pgp != nil {
		return ".txt.age"
	}
	return ".txt.asc"
}

// encrypt writes plaintext to dst encrypted to k, ASCII-armored so it can be
// pasted: age's armor or an OpenPGP message. hint is the file name inside an
// OpenPGP message.
func (k publicKey) encrypt(dst io.Writer, plaintext []byte, hint string) error {
	if k.pgp != nil {
		return encryptOpenPGP(dst, k.pgp, plaintext, hint)
	}
	aw := armor.NewWriter(dst)
	w, err := age.Encrypt(aw, k.age)
	if err != nil {
		return fmt.Errorf("encrypting with age: %w", err)
	}
	if _, err := w.Write(plaintext); err != nil {
		return fmt.Errorf("encrypting with age: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("encrypting with age: %w", err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("encrypting with age: %w", err)
	}
	return nil
}

func encryptOpenPGP(dst io.Writer, to *openpgp.Entity, plaintext []byte, hint string) error {
	aw, err := pgparmor.Encode(dst, "PGP MESSAGE", nil)
	if err != nil {
		return fmt.Errorf("encrypting with OpenPGP: %w", err)
	}
	w, err := openpgp.Encrypt(aw, []*openpgp.Entity{to}, nil, &openpgp.FileHints{FileName: hint}, nil)
	if err != nil {
		return fmt.Errorf("encrypting with OpenPGP: %w", err)
	}
	if _, err := w.Write(plaintext); err != nil {
		return fmt.Errorf("encrypting with OpenPGP: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("encrypting with OpenPGP: %w", err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("encrypting with OpenPGP: %w", err)
	}
	return nil
}
