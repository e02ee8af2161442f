// Package config reads gatehouse's own configuration file: settings that hold
// for every run rather than for one input, such as the users no command may
// ever touch.
//
//	# gatehouse.yaml
//	protect:
//	  users: [break-glass, terraform]     # exact IAM user names (case-insensitive, as IAM)
//	  patterns: ["svc-*", "*-admin"]      # shell globs on user names (path.Match)
//	  tags: {"gatehouse:protected": "true"} # a user carrying any of these tags
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// Config is gatehouse's configuration. The zero value protects nobody.
type Config struct {
	// Path is the file it was read from ("" when there was none).
	Path    string
	Protect Protect
}

// Protect names the IAM users no gatehouse command changes, in any account.
type Protect struct {
	Users    []string          // exact user names, compared case-insensitively as IAM does
	Patterns []string          // path.Match globs on user names, case-insensitive
	Tags     map[string]string // a user carrying any of these tags (key and value exact)
}

// Names of the configuration file, in the order Find looks for them.
const (
	LocalFile = "gatehouse.yaml"
	UserFile  = "gatehouse/config.yaml" // under $XDG_CONFIG_HOME, else ~/.config
)

// Find returns the configuration file to read: explicit when given (it must
// exist), else ./gatehouse.yaml, else $XDG_CONFIG_HOME/gatehouse/config.yaml
// (~/.config/… without XDG_CONFIG_HOME); "" when there is none.
func Find(explicit string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", fmt.Errorf("reading configuration %s: %w", explicit, err)
		}
		return explicit, nil
	}
	candidates := []string{LocalFile}
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" {
		candidates = append(candidates, filepath.Join(dir, UserFile))
	} else if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".config", UserFile))
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("reading configuration %s: %w", c, err)
		}
	}
	return "", nil
}

// Load reads the configuration at path; "" gives the zero Config. Every
// problem in the file comes back together as spec.Problems, with its line.
func Load(path string) (*Config, error) {
	if path == "" {
		return &Config{}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading configuration %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse reads a configuration file's contents; name is used in messages.
func Parse(name string, data []byte) (*Config, error) {
	c := &Config{Path: name}
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, spec.Problems{{Pos: spec.Pos{File: name}, Fix: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	p := &parser{file: name}
	if len(doc.Content) > 0 {
		p.top(doc.Content[0], c)
	}
	if len(p.probs) > 0 {
		return nil, p.probs
	}
	return c, nil
}

type parser struct {
	file  string
	probs spec.Problems
}

func (p *parser) add(n *yaml.Node, what, fix string) {
	p.probs = append(p.probs, spec.Problem{Pos: spec.Pos{File: p.file, Line: n.Line}, What: what, Fix: fix})
}

// mapping calls fn for each key of n, reporting keys not in allowed.
func (p *parser) mapping(n *yaml.Node, where string, allowed []string, fn func(key string, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.add(n, where, "expected a mapping with "+strings.Join(allowed, ", "))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(allowed, k.Value) {
			p.add(k, "unknown key "+fmt.Sprintf("%q", k.Value)+" in "+where, "this level takes: "+strings.Join(allowed, ", "))
			continue
		}
		fn(k.Value, v)
	}
}

func (p *parser) top(n *yaml.Node, c *Config) {
	p.mapping(n, "the configuration", []string{"protect"}, func(_ string, v *yaml.Node) {
		p.mapping(v, "protect", []string{"users", "patterns", "tags"}, func(key string, v *yaml.Node) {
			switch key {
			case "users":
				c.Protect.Users = p.strings(v, "protect.users")
			case "patterns":
				for i, pat := range p.strings(v, "protect.patterns") {
					if _, err := path.Match(pat, ""); err != nil {
						p.add(v.Content[i], fmt.Sprintf("pattern %q", pat), "not a valid glob (* ? [a-z]; escape with \\)")
						continue
					}
					c.Protect.Patterns = append(c.Protect.Patterns, pat)
				}
			case "tags":
				c.Protect.Tags = p.tags(v)
			}
		})
	})
}

func (p *parser) strings(n *yaml.Node, where string) []string {
	if n.Kind != yaml.SequenceNode {
		p.add(n, where, "expected a list, e.g. [break-glass, terraform]")
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || strings.TrimSpace(item.Value) == "" {
			p.add(item, where, "each entry is a non-empty name")
			continue
		}
		out = append(out, strings.TrimSpace(item.Value))
	}
	return out
}

func (p *parser) tags(n *yaml.Node) map[string]string {
	if n.Kind != yaml.MappingNode {
		p.add(n, "protect.tags", `expected a mapping of tag keys to values, e.g. {"gatehouse:protected": "true"}`)
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "" || v.Kind != yaml.ScalarNode {
			p.add(k, "protect.tags", "each tag is key: value")
			continue
		}
		out[k.Value] = v.Value
	}
	return out
}

// Match reports why a user with this name and these tags is protected, or ""
// when it is not.
func (p Protect) Match(userName string, tags map[string]string) string {
	lower := strings.ToLower(userName)
	for _, u := range p.Users {
		if strings.EqualFold(u, userName) {
			return fmt.Sprintf("protected by configuration (users: %s)", u)
		}
	}
	for _, pat := range p.Patterns {
		if ok, _ := path.Match(strings.ToLower(pat), lower); ok {
			return fmt.Sprintf("protected by configuration (patterns: %s)", pat)
		}
	}
	keys := make([]string, 0, len(p.Tags))
	for k := range p.Tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v, ok := tags[k]; ok && v == p.Tags[k] {
			return fmt.Sprintf("protected by configuration (tags: %s=%s)", k, v)
		}
	}
	return ""
}

// ByName reports why a user name alone is protected (users and patterns),
// before its tags are known; "" when it is not.
func (p Protect) ByName(userName string) string {
	return Protect{Users: p.Users, Patterns: p.Patterns}.Match(userName, nil)
}
