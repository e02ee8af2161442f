//go:build unix

package spec

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// public_key_file reads regular files inside the directory of the file that
// names it, or inside a directory given with --key-dir (Flags.KeyDirs), and
// nothing else: not /proc, /sys or /dev, not through a symbolic link that
// leads out, not a FIFO or a device. A path it may not read gets the same
// message whether or not a file is there, so a spec cannot probe the
// machine.
func TestPublicKeyFileStaysInAllowedDirectories(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"team/keys/ok.pub": ageKey + "\n", "shared/a.pub": sshKey + "\n"})
	for link, target := range map[string]string{
		"team/keys/environ": "/proc/self/environ", "team/keys/shared": "../../shared/a.pub",
		"team/keys/nowhere": "../../shared/none.pub", "team/keys/inside": "ok.pub",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "team/keys/fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	outside := func(path string) string {
		return `public_key_file ` + quote(path) + ` at ` + filepath.Join(dir, "team", "spec.yaml") + `:4: it names a file outside ` +
			filepath.Join(dir, "team") + `, the directory of the file that names it`
	}
	tests := []struct {
		name, path string
		keyDirs    []string
		want       string // the one problem; "" for none
	}{
		{"inside", "keys/ok.pub", nil, ""},
		{"a link that stays inside", "keys/inside", nil, ""},
		{"absolute but inside", filepath.Join(dir, "team/keys/ok.pub"), nil, ""},
		{"up and across", "../shared/a.pub", nil, outside("../shared/a.pub")},
		{"up and across, missing", "../shared/none.pub", nil, outside("../shared/none.pub")},
		{"up and across with --key-dir", "../shared/a.pub", []string{filepath.Join(dir, "shared")}, ""},
		{"absolute with --key-dir", filepath.Join(dir, "shared/a.pub"), []string{filepath.Join(dir, "shared")}, ""},
		{"/proc", "/proc/self/environ", nil, outside("/proc/self/environ")},
		{"/proc, missing", "/proc/self/no-such-file", nil, outside("/proc/self/no-such-file")},
		{"/etc", "/etc/passwd", nil, outside("/etc/passwd")},
		{"/dev", "/dev/zero", nil, outside("/dev/zero")},
		{"a link to /proc", "keys/environ", nil, outside("keys/environ")},
		{"a link out", "keys/shared", nil, outside("keys/shared")},
		{"a link out, missing", "keys/nowhere", nil, outside("keys/nowhere")},
		{"a FIFO", "keys/fifo", nil, `public_key_file "keys/fifo" at ` + filepath.Join(dir, "team", "spec.yaml") + `:4: cannot be read: not a regular file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := lines("delivery: {channel: file}", "people:", "  - email: a@example.com", "    public_key_file: "+tt.path)
			done := make(chan error, 1)
			go func() {
				_, err := Parse(filepath.Join(dir, "team", "spec.yaml"), []byte(src), Flags{KeyDirs: Set(tt.keyDirs)})
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Parse hangs")
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected problems:\n%v", err)
				}
				return
			}
			got := problemStrings(t, err)
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Fatalf("problems:\n%s\nwant one starting %q", strings.Join(got, "\n"), tt.want)
			}
		})
	}
}

// A spec in / (or read from standard input with / as the working directory,
// as in many containers) still cannot name /proc, /sys or /dev, and the
// message does not depend on whether the file exists.
func TestPublicKeyFileNeverReadsProc(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	var msgs []string
	for _, path := range []string{"proc/self/environ", "proc/self/no-such-file", "sys/kernel/hostname", "dev/null"} {
		src := lines("delivery: {channel: file}", "people:", "  - email: a@example.com", "    public_key_file: "+path)
		_, err := Parse("/spec.yaml", []byte(src), Flags{})
		got := problemStrings(t, err)
		if len(got) != 1 {
			t.Fatalf("%s: problems %q", path, got)
		}
		msgs = append(msgs, strings.Replace(got[0], quote(path), "PATH", 1))
	}
	for _, m := range msgs {
		if m != msgs[0] || !strings.Contains(m, "/proc, /sys or /dev") {
			t.Fatalf("messages differ or do not explain:\n%s", strings.Join(msgs, "\n"))
		}
	}
}
