package spec

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
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
// keyDirs are the other directories it may read from (Flags.KeyDirs).
func loadKeyFiles(s *draft, keyDirs []string, probs *Problems) {
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
		p.keyFromFile = readKeyFile(p.publicKeyFile, keyDirs, probs)
	}
}

// readKeyFile reads the key file that path names; unset when it cannot.
func readKeyFile(path val[string], keyDirs []string, probs *Problems) val[string] {
	what := "public_key_file " + quote(path.V)
	if path.V == "" {
		probs.add(path.Pos, what, "name the file that holds the person's public key")
		return val[string]{}
	}
	home := filepath.Dir(path.Pos.File)
	name := path.V
	if !filepath.IsAbs(name) {
		name = filepath.Join(home, name)
	}
	data, err := readAllowedFile(name, append([]string{home}, keyDirs...))
	switch {
	case errors.Is(err, errOutside):
		if abs, err := filepath.Abs(home); err == nil {
			home = abs
		}
		probs.add(path.Pos, what, "it names a file outside "+home+", the directory of the file that names it, "+
			"and keys are read from there alone: keep the key file there (a link in it must not lead out either)")
		return val[string]{}
	case errors.Is(err, errDenied):
		probs.add(path.Pos, what, "gatehouse never reads keys from /proc, /sys or /dev; name the file that holds the key")
		return val[string]{}
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

var (
	errNotRegular = errors.New("not a regular file; name the file that holds the key")
	// errOutside and errDenied are decided before the file is looked at (or,
	// for a link that leads out, without following it), so that their
	// messages do not say whether a file exists there.
	errOutside = errors.New("outside the allowed directories")
	errDenied  = errors.New("in /proc, /sys or /dev")
)

// deniedDirs are never read, whichever directories are allowed (a spec in
// /, or standard input read in / as in many containers): their files are
// the machine's and its processes' (environments, memory), never keys.
var deniedDirs = []string{"/proc", "/sys", "/dev"}

// readAllowedFile reads the regular file name if it lies inside one of
// roots, without following a link out of that root.
func readAllowedFile(name string, roots []string) ([]byte, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, err
	}
	for _, root := range roots {
		rootAbs, err := filepath.Abs(root)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(rootAbs, abs); err == nil && filepath.IsLocal(rel) {
			if inAny(abs, deniedDirs) {
				return nil, errDenied
			}
			return readInRoot(rootAbs, rel)
		}
	}
	return nil, errOutside
}

// inAny says whether abs is one of dirs or below one.
func inAny(abs string, dirs []string) bool {
	for _, d := range dirs {
		if rel, err := filepath.Rel(d, abs); err == nil && filepath.IsLocal(rel) || abs == d {
			return true
		}
	}
	return false
}

// readInRoot reads rel below root through os.Root, which refuses a path
// that leaves root, by ".." or by a link.
func readInRoot(root, rel string) ([]byte, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// Non-blocking, so that a FIFO is refused below instead of waiting for
	// a writer; it changes nothing for a regular file.
	f, err := r.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var errno syscall.Errno
		if !errors.Is(err, fs.ErrNotExist) && !errors.As(err, &errno) {
			return nil, errOutside // os.Root's own refusal: the path leaves root
		}
		return nil, err
	}
	defer f.Close()
	// A device or a pipe could block or never end; a key is a plain file.
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, errNotRegular
	}
	if real, err := filepath.EvalSymlinks(filepath.Join(root, rel)); err != nil || inAny(real, deniedDirs) {
		return nil, errDenied // a link inside a root of / that leads into /proc
	}
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
