package deliver

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// fileChannel writes each credential encrypted to the person's public key
// (Credential.PublicKey) into <dir>/<account>/<user name>.txt.age or .txt.asc,
// and a person's credentials in several accounts, delivered together, into
// one file <dir>/<e-mail address>/<account>+<account>+….txt.age (see
// batchFile); mode 0600 in directories of mode 0700. The plaintext exists
// only in memory.
type fileChannel struct {
	dir  string
	lang string
	sets map[string]*templateSet // by language
	now  func() time.Time        // decides whether an OpenPGP key has expired
}

func newFile(deps Deps) (Channel, error) {
	ch, err := newFileChannel(deps)
	if err != nil {
		return nil, err // not a nil *fileChannel in a non-nil Channel
	}
	return ch, nil
}

// newFileChannel checks that the directory can be written (creating it when
// missing) and compiles the templates in every language.
func newFileChannel(deps Deps) (*fileChannel, error) {
	f := &fileChannel{dir: deps.File.Dir, lang: deps.Language, sets: map[string]*templateSet{}, now: time.Now}
	if f.dir == "" {
		f.dir = spec.DefaultFileDir
	}
	if err := checkWritableDir(f.dir); err != nil {
		return nil, fmt.Errorf("setting up file delivery: %w", err)
	}
	var err error
	if f.lang, f.sets, err = compileAll(deps); err != nil {
		return nil, fmt.Errorf("setting up file delivery: %w", err)
	}
	for _, set := range f.sets {
		if set.text == nil {
			return nil, errors.New("setting up file delivery: the template override has only an HTML body, and files hold the text body; " +
				"add a text template (delivery.template.text) to the spec")
		}
	}
	return f, nil
}

// checkWritableDir creates dir (0700) when missing and proves it takes files.
func checkWritableDir(dir string) error {
	where := fmt.Sprintf("credentials directory (%s)", dir)
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating the %s: %w; choose another with delivery.file.dir in the spec or --file-dir", where, err)
		}
		info, err = os.Stat(dir)
	}
	if err != nil {
		return fmt.Errorf("checking the %s: %w; choose another with delivery.file.dir in the spec or --file-dir", where, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("the %s is not a directory; choose another with delivery.file.dir in the spec or --file-dir", where)
	}
	probe, err := os.CreateTemp(dir, ".gatehouse-probe-*")
	if err != nil {
		return fmt.Errorf("writing to the %s: %w; make it writable or choose another with --file-dir", where, err)
	}
	name := probe.Name()
	err = probe.Close()
	if rmErr := os.Remove(name); err == nil {
		err = rmErr
	}
	if err != nil {
		return fmt.Errorf("writing to the %s: %w", where, err)
	}
	return nil
}

func (f *fileChannel) Name() string { return spec.ChannelFile }

func (f *fileChannel) Close() error { return nil }

// Deliver renders the text message in the credential's language (else the
// channel's), encrypts it to the person's public key and writes it atomically,
// replacing an earlier file for the same user (a resend).
func (f *fileChannel) Deliver(ctx context.Context, c Credential) (Receipt, error) {
	return f.write(ctx, []Credential{c})
}

// DeliverAll writes one person's credentials in several accounts into one
// file that lists every account, and removes the files of those accounts
// that hold the passwords these replace.
func (f *fileChannel) DeliverAll(ctx context.Context, cs []Credential) (Receipt, error) {
	if err := checkBatch(cs); err != nil {
		return Receipt{}, fmt.Errorf("writing sign-in details to an encrypted file: %w", err)
	}
	return f.write(ctx, cs)
}

func (f *fileChannel) carriesSeveral() bool { return carriesSeveral(f.sets) }

// write renders cs's message, encrypts it and writes it where place says.
func (f *fileChannel) write(ctx context.Context, cs []Credential) (Receipt, error) {
	c := cs[0]
	where := fmt.Sprintf("writing sign-in details for %s to an encrypted file", who(cs))
	if c.Welcome {
		return Receipt{}, reject(fmt.Errorf("%s: %w", where, errNoSecret))
	}
	if strings.TrimSpace(c.PublicKey) == "" {
		return Receipt{}, reject(fmt.Errorf("no public key for %s: set public_key or public_key_file for them in the spec", who(cs)))
	}
	dir, base, superseded, err := f.place(cs)
	if err != nil {
		return Receipt{}, reject(fmt.Errorf("%s: %w", where, err))
	}
	key, err := parsePublicKey(c.PublicKey, f.now())
	if err != nil {
		return Receipt{}, reject(fmt.Errorf("%s: the person's public key: %w", where, err))
	}
	msg, err := renderIn(f.sets, f.lang, cs...)
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: %w", where, err)
	}
	if err := ctx.Err(); err != nil {
		return Receipt{}, fmt.Errorf("%s: %w", where, err)
	}
	plaintext := []byte("Subject: " + msg.Subject + "\n\n" + msg.Text)
	path, err := writeAtomically(dir, base+key.ext(), func(w io.Writer) error {
		return key.encrypt(w, plaintext, base+".txt")
	})
	clear(plaintext)
	if err == nil {
		// A resend to a key of the other kind, and the files of single
		// accounts this one replaces, leave no file with an old password.
		err = removeStale(append(superseded, filepath.Join(dir, base+key.otherExt())))
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", where, err)
		if errors.Is(err, fs.ErrPermission) {
			err = reject(fmt.Errorf("%w; make %s writable or choose another directory with --file-dir", err, f.dir))
		}
		return Receipt{}, redactSecrets(err, cs)
	}
	return Receipt{Channel: spec.ChannelFile, MessageID: path, Detail: fmt.Sprintf("encrypted to %s (%s) in %s", key.label, key.kind, path)}, nil
}

// place is where cs's file goes — its directory and its name without the
// extension — and, for several accounts, the files of those accounts alone
// whose passwords it replaces. Every part of a path must be a safe file
// name.
func (f *fileChannel) place(cs []Credential) (dir, base string, superseded []string, err error) {
	c := cs[0]
	parts := [][2]string{{"account", c.Account}, {"user name", c.UserName}}
	if len(cs) == 1 {
		dir, base = filepath.Join(f.dir, c.Account), c.UserName
	} else {
		person := cmp.Or(c.Email, c.UserName)
		dir, base = filepath.Join(f.dir, person), batchFile(cs)
		parts = [][2]string{{"e-mail address", person}}
		for _, c := range cs {
			parts = append(parts, [2]string{"account", c.Account}, [2]string{"user name", c.UserName})
			for _, ext := range []string{".txt.age", ".txt.asc"} {
				superseded = append(superseded, filepath.Join(f.dir, c.Account, c.UserName+ext))
			}
		}
	}
	for _, part := range parts {
		if !safeFileName(part[1]) {
			return "", "", nil, fmt.Errorf("the %s %q cannot be a file name (it is empty, a path or starts with a dot)", part[0], part[1])
		}
	}
	return dir, base, superseded, nil
}

// batchFile names the file of one person's credentials in several accounts
// after the accounts, sorted ("111122223333+444455556666"), so that the
// next file for the same accounts — which replaces every password in it —
// replaces it, and a file for other accounts never does. Past 200 bytes the
// name is the number of accounts and a hash of the list.
func batchFile(cs []Credential) string {
	accounts := make([]string, len(cs))
	for i, c := range cs {
		accounts[i] = c.Account
	}
	slices.Sort(accounts)
	name := strings.Join(accounts, "+")
	if len(name) <= 200 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return fmt.Sprintf("%d-accounts-%x", len(accounts), sum[:8])
}

// removeStale removes the files at paths that exist.
func removeStale(paths []string) error {
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing the superseded file (%s): %w", p, err)
		}
	}
	return nil
}

// safeFileName reports whether name is one path element that is not hidden,
// so a user name or account cannot write outside the credentials directory.
func safeFileName(name string) bool {
	return name != "" && filepath.Base(name) == name && !strings.HasPrefix(name, ".") && !strings.ContainsAny(name, `/\`+"\x00")
}

// writeAtomically writes dir/name (0600) with what write produces, creating
// dir (0700) when missing: a temporary file in dir, synced, then renamed over
// name, so a reader sees the old file or the new one, never a part.
func writeAtomically(dir, name string, write func(io.Writer) error) (path string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating directory (%s): %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp") // created 0600
	if err != nil {
		return "", fmt.Errorf("creating a file in directory (%s): %w", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		return "", err
	}
	if err := bw.Flush(); err != nil {
		return "", fmt.Errorf("writing file (%s): %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("syncing file (%s): %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("closing file (%s): %w", tmp.Name(), err)
	}
	path = filepath.Join(dir, name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("renaming file (%s) to (%s): %w", tmp.Name(), path, err)
	}
	return path, syncDir(dir)
}

// syncDir makes a rename in dir survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing directory (%s): %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing directory (%s): %w", dir, err)
	}
	return nil
}
