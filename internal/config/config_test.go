package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseAndMatch(t *testing.T) {
	t.Parallel()
	c, err := Parse("g.yaml", []byte(`protect:
  users: [Break-Glass, terraform]
  patterns: ["svc-*", "*-ADMIN"]
  tags: {"gatehouse:protected": "true"}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user string
		tags map[string]string
		want string
	}{
		{"break-glass", nil, "users: Break-Glass"},
		{"TERRAFORM", nil, "users: terraform"},
		{"svc-deploy", nil, "patterns: svc-*"},
		{"db-admin", nil, "patterns: *-ADMIN"},
		{"alice", map[string]string{"gatehouse:protected": "true"}, "tags: gatehouse:protected=true"},
		{"alice", map[string]string{"gatehouse:protected": "false"}, ""},
		{"alice", nil, ""},
		{"svc", nil, ""},
	} {
		got := c.Protect.Match(tc.user, tc.tags)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("Match(%s, %v) = %q, want %q", tc.user, tc.tags, got, tc.want)
		}
	}
	if c.Protect.ByName("alice") != "" || c.Protect.ByName("svc-x") == "" {
		t.Error("ByName")
	}
}

func TestParseProblems(t *testing.T) {
	t.Parallel()
	_, err := Parse("g.yaml", []byte(`protect:
  user: [a]
  patterns: ["[a-"]
  tags: [x]
extra: 1
`))
	if err == nil {
		t.Fatal("no problems")
	}
	for _, want := range []string{`g.yaml:2`, `unknown key "user"`, `g.yaml:3`, `pattern "[a-"`, `g.yaml:4`, `g.yaml:5`, `unknown key "extra"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems do not say %q:\n%v", want, err)
		}
	}
	if _, err := Parse("g.yaml", []byte("protect: [\n")); err == nil || !strings.Contains(err.Error(), "not valid YAML") {
		t.Errorf("bad YAML = %v", err)
	}
	if c, err := Parse("g.yaml", []byte("# nothing\n")); err != nil || c.Protect.Match("x", nil) != "" {
		t.Errorf("empty file = %+v, %v", c, err)
	}
}

func TestFindAndLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(file, []byte("protect: {users: [root-like]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Find(file)
	if err != nil || got != file {
		t.Fatalf("Find(explicit) = %q, %v", got, err)
	}
	if _, err := Find(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("Find of a missing explicit file succeeded")
	}
	c, err := Load(file)
	if err != nil || c.Protect.ByName("ROOT-LIKE") == "" || c.Path != file {
		t.Errorf("Load = %+v, %v", c, err)
	}
	if c, err := Load(""); err != nil || c.Path != "" {
		t.Errorf("Load(\"\") = %+v, %v", c, err)
	}
}
