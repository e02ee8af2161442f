package spec

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"
)

// A person's public key is what the file channel encrypts their credentials
// to. The spec checks only its form, so that a private key pasted by mistake
// or a key ID is caught with the rest of the input; deliver.CheckPublicKey
// checks that the key parses. Messages about keys never show the value: what
// was pasted where a public key goes may be a secret.

// maxKeyFile bounds a public key file: an armored OpenPGP key with many
// signatures is large, but never this large.
const maxKeyFile = 1 << 20

// publicKeyRe is the form of a key: an age recipient, an SSH public key
// line, or an armored OpenPGP public key block. The schema uses the same
// pattern.
var publicKeyRe = regexp.MustCompile(`^\s*(age1[0-9a-z]+|ssh-[a-z0-9-]+ AAAA[A-Za-z0-9+/]+={0,3}( [^\r\n]*)?|` +
	`-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n[\s\S]*\n-----END PGP PUBLIC KEY BLOCK-----)\s*$`)

// privateKeyRe finds the marks of private keys: PEM and armor headers
// (OpenSSH, PKCS#1/8, OpenPGP), age identities and PuTTY key files.
var privateKeyRe = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY|(?i:AGE-SECRET-KEY-1|AGE-PLUGIN-[A-Z0-9-]+-1)|PuTTY-User-Key-File`)

// keyIDRe is what a key ID or fingerprint looks like (hex, maybe grouped).
var keyIDRe = regexp.MustCompile(`^(0x)?[0-9A-Fa-f]{4}( {0,2}[0-9A-Fa-f]{4}){3,9}$`)

const publicKeyForms = "give an age recipient (age1…), an SSH public key (ssh-ed25519 AAAA… or ssh-rsa AAAA…) " +
	"or an armored OpenPGP public key (gpg --armor --export ID, which starts -----BEGIN PGP PUBLIC KEY BLOCK-----)"

// loadKeyFiles reads each person's public_key_file, relative to the directory
// of the file that names it (the working directory for standard input).
func loadKeyFiles(s *draft, probs *Problems) {
	for i := range s.people {
		p := &s.people[i]
		if !p.publicKeyFile.Set {
			continue
		}
		if p.publicKey.Set {
			probs.add(p.publicKeyFile.Pos, "public_key_file with public_key", "set one: public_key holds "+
				"the key itself, public_key_file names a file that holds it")
			continue
		}
		p.keyFromFile = readKeyFile(p.publicKeyFile, probs)
	}
}

// readKeyFile reads the key file that path names; unset when it cannot.
func readKeyFile(path val[string], probs *Problems) val[string] {
	what := "public_key_file " + quote(path.V)
	if path.V == "" {
		probs.add(path.Pos, what, "name the file that holds the person's public key")
		return val[string]{}
	}
	name := path.V
	if !filepath.IsAbs(name) {
		name = filepath.Join(filepath.Dir(path.Pos.File), name)
	}
	data, err := readRegularFile(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		probs.add(path.Pos, what, "there is no "+name+"; a relative path starts from the directory of "+
			"the file that names it")
		return val[string]{}
	case err != nil:
		probs.add(path.Pos, what, "cannot be read: "+err.Error())
		return val[string]{}
	}
	return setVal(string(data), path.Pos)
}

var errNotRegular = errors.New("not a regular file; name the file that holds the key")

func readRegularFile(name string) ([]byte, error) {
	// A device or a pipe could block or never end; a key is a plain file.
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, errNotRegular
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeyFile {
		return nil, errors.New("larger than 1 MiB, which no public key is; export the key alone " +
			"(gpg --armor --export --export-options export-minimal ID)")
	}
	return data, nil
}

// checkPersonKey checks the form of a person's key, inline or from a file.
func checkPersonKey(p *personDraft, probs *Problems) {
	if p.publicKey.Set {
		checkPublicKey(p.publicKey, "public_key", probs)
	} else if p.keyFromFile.Set {
		checkPublicKey(p.keyFromFile, "public_key_file "+quote(p.publicKeyFile.V), probs)
	}
}

// checkPublicKey reports a key that is not in one of the accepted forms,
// without showing it.
func checkPublicKey(v val[string], what string, probs *Problems) {
	key := strings.TrimSpace(v.V)
	switch {
	case privateKeyRe.MatchString(key):
		probs.add(v.Pos, what, "this is a private key, which must never leave its owner: give the "+
			"public key instead (age-keygen -y FILE, ssh-keygen -y -f FILE, gpg --armor --export ID), "+
			"and if this file has been shared, have the owner make a new key pair")
	case publicKeyRe.MatchString(key):
	case key == "":
		probs.add(v.Pos, what, "is empty; "+publicKeyForms)
	case !utf8.ValidString(key):
		probs.add(v.Pos, what, "is binary; export an OpenPGP key armored: gpg --armor --export ID")
	case keyIDRe.MatchString(key):
		probs.add(v.Pos, what, "is a key ID or fingerprint, not the key; give the key itself: "+
			"gpg --armor --export ID")
	default:
		probs.add(v.Pos, what, "is not a public key gatehouse can encrypt to; "+publicKeyForms)
	}
}
