package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes name → content under dir, making directories.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// public_key_file is read relative to the spec's directory — not the working
// directory, which in these tests is another one — into Person.PublicKey.
func TestPublicKeyFile(t *testing.T) {
	t.Parallel()
	spec := func(keyLines ...string) string {
		return lines(append([]string{"delivery: {channel: file}", "people:", "  - email: a@example.com"}, keyLines...)...)
	}
	tests := []struct {
		name   string
		files  map[string]string // written under the spec's directory
		src    string            // the spec, written as team/spec.yaml
		want   string            // the one problem, after the spec's path (DIR: the temporary directory); "" for none
		secret string            // text that must not appear in any message
	}{
		{"relative to the spec", map[string]string{"team/keys/a.asc": pgpKey},
			spec("    public_key_file: keys/a.asc"), "", ""},
		{"missing", nil, spec("    public_key_file: keys/nobody.asc"),
			`:4: there is no ` + filepath.Join("DIR", "team", "keys", "nobody.asc") + "; a relative path starts from the directory", ""},
		{"a directory", map[string]string{"team/keys/x": ""}, spec("    public_key_file: keys"),
			`:4: cannot be read: not a regular file; name the file that holds the key`, ""},
		{"empty path", nil, spec(`    public_key_file: ""`), `:4: name the file that holds the person's public key`, ""},
		{"a private key", map[string]string{"team/keys/id_ed25519": sshSecret},
			spec("    public_key_file: keys/id_ed25519"), `:4: this is a private key, which must never leave its owner`, "SECRET"},
		{"not a key", map[string]string{"team/keys/a.txt": "password=hunter2\n"},
			spec("    public_key_file: keys/a.txt"), `:4: is not a public key gatehouse can encrypt to`, "hunter2"},
		{"too large", map[string]string{"team/keys/big.asc": strings.Repeat("x", maxKeyFile+1)},
			spec("    public_key_file: keys/big.asc"), `:4: cannot be read: larger than 1 MiB, which no public key is`, ""},
		{"both ways at once", map[string]string{"team/keys/a.asc": pgpKey},
			spec("    public_key: "+ageKey, "    public_key_file: keys/a.asc"), `:5: set one: public_key holds the key itself`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			name := filepath.Join(dir, "team", "spec.yaml")
			in, err := Parse(name, []byte(tt.src), Flags{})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected problems:\n%v", err)
				}
				for _, content := range tt.files {
					if in.People[0].PublicKey != strings.TrimSpace(content) {
						t.Fatalf("public key %q, want the file's %q", in.People[0].PublicKey, content)
					}
				}
				return
			}
			got := problemStrings(t, err)
			at := " at " + name + strings.ReplaceAll(tt.want, "DIR", dir)
			if len(got) != 1 || !strings.Contains(got[0], at) {
				t.Fatalf("problems:\n%s\nwant one containing %q", strings.Join(got, "\n"), at)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Fatalf("the message shows the file's content:\n%v", err)
			}
		})
	}
}

// An absolute path is read as it is when it lies in an allowed directory
// (here one given with --key-dir; TestPublicKeyFileStaysInAllowedDirectories
// has the rest).
func TestPublicKeyFileAbsolute(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.pub": ageKey + "\n"})
	src := withPeople("  - email: a@example.com", "    deliver: file", "    public_key_file: "+filepath.Join(dir, "a.pub"))
	in := mustParse(t, "t.yaml", src, Flags{KeyDirs: Set([]string{dir})})
	if in.People[0].PublicKey != ageKey {
		t.Fatalf("public key %q", in.People[0].PublicKey)
	}
}

// In a CSV, public_key_file is relative to the CSV's directory.
func TestPublicKeyFileInCSV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"hr/keys/b.asc": pgpKey})
	src := lines("email,deliver,public_key,public_key_file",
		"a@example.com,file,"+ageKey+",",
		"b@example.com,file,,keys/b.asc",
		"c@example.com,file,,keys/c.asc")
	name := filepath.Join(dir, "hr", "people.csv")
	_, err := Parse(name, []byte(src), Flags{})
	assertProblems(t, err, []string{`public_key_file "keys/c.asc" at ` + name + `:4: there is no`})

	in := mustParse(t, name, strings.TrimSuffix(src, "c@example.com,file,,keys/c.asc\n"), Flags{})
	if in.People[0].PublicKey != ageKey || in.People[1].PublicKey != strings.TrimSpace(pgpKey) {
		t.Fatalf("public keys %q and %q", in.People[0].PublicKey, in.People[1].PublicKey)
	}
}
