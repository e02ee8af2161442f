package deliver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// fileChannel writes each credential encrypted to the person's public key
// (Credential.PublicKey) into <dir>/<account>/<user name>.txt.age or .txt.asc,
// mode 0600 in directories of mode 0700. The plaintext exists only in memory.
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
	where := fmt.Sprintf("writing sign-in details for user (%s) in account (%s) to an encrypted file", c.UserName, c.Account)
	if strings.TrimSpace(c.PublicKey) == "" {
		return Receipt{}, reject(fmt.Errorf("no public key for user (%s) in account (%s): set public_key or public_key_file for them in the spec", c.UserName, c.Account))
	}
	for _, part := range [][2]string{{"account", c.Account}, {"user name", c.UserName}} {
		if !safeFileName(part[1]) {
			return Receipt{}, reject(fmt.Errorf("%s: the %s %q cannot be a file name (it is empty, a path or starts with a dot)", where, part[0], part[1]))
		}
	}
	key, err := parsePublicKey(c.PublicKey, f.now())
	if err != nil {
		return Receipt{}, reject(fmt.Errorf("%s: the person's public key: %w", where, err))
	}
	msg, err := renderIn(f.sets, f.lang, c)
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: %w", where, err)
	}
	if err := ctx.Err(); err != nil {
		return Receipt{}, fmt.Errorf("%s: %w", where, err)
	}
	plaintext := []byte("Subject: " + msg.Subject + "\n\n" + msg.Text)
	name := c.UserName + key.ext()
	path, err := writeAtomically(filepath.Join(f.dir, c.Account), name, func(w io.Writer) error {
		return key.encrypt(w, plaintext, c.UserName+".txt")
	})
	clear(plaintext)
	if err == nil {
		// A resend to a key of the other kind leaves no file with the old password behind.
		stale := filepath.Join(f.dir, c.Account, c.UserName+key.otherExt())
		if rmErr := os.Remove(stale); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			err = fmt.Errorf("removing the superseded file (%s): %w", stale, rmErr)
		}
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", where, err)
		if errors.Is(err, fs.ErrPermission) {
			err = reject(fmt.Errorf("%w; make %s writable or choose another directory with --file-dir", err, f.dir))
		}
		return Receipt{}, redact(err, c.Password)
	}
	return Receipt{Channel: spec.ChannelFile, MessageID: path, Detail: fmt.Sprintf("encrypted to %s (%s) in %s", key.label, key.kind, path)}, nil
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
