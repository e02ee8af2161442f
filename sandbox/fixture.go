package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// A fixture is a YAML file that sets up a world: an organisation, accounts and
// everything IAM and SES hold in them, and static credentials. The format is
// documented in docs/sandbox-fixture.md; examples/sandbox/world.yaml shows it all.
type fixture struct {
	Organization *orgFixture                `yaml:"organization"`
	Accounts     map[string]*accountFixture `yaml:"accounts"`
	Credentials  []credentialFixture        `yaml:"credentials"`
}

type orgFixture struct {
	Line              int             `yaml:"-"`
	ManagementAccount string          `yaml:"management_account"`
	FeatureSet        string          `yaml:"feature_set"`
	Accounts          []memberFixture `yaml:"accounts"`
	Units             []unitFixture   `yaml:"units"`
}

type unitFixture struct {
	Line     int             `yaml:"-"`
	Name     string          `yaml:"name"`
	Accounts []memberFixture `yaml:"accounts"`
	Units    []unitFixture   `yaml:"units"`
}

type memberFixture struct {
	Line  int    `yaml:"-"`
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
}

type credentialFixture struct {
	Line            int    `yaml:"-"`
	AccessKeyID     string `yaml:"access_key_id"`
	SecretAccessKey string `yaml:"secret_access_key"`
	Account         string `yaml:"account"`
}

// lineString is a scalar that remembers its line, for references checked later.
type lineString struct {
	Value string
	Line  int
}

func (s *lineString) UnmarshalYAML(n *yaml.Node) error {
	s.Line = n.Line
	return n.Decode(&s.Value)
}

// tagList is a YAML mapping of tags, kept in the file's order.
type tagList []state.Tag

func (t *tagList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: tags must be a mapping of key: value", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		*t = append(*t, state.Tag{Key: n.Content[i].Value, Value: n.Content[i+1].Value})
	}
	return nil
}

// policyDoc is a policy document written either as a JSON string or as YAML,
// which is converted to JSON in the file's key order.
type policyDoc struct {
	JSON string
	Line int
}

func (d *policyDoc) UnmarshalYAML(n *yaml.Node) error {
	d.Line = n.Line
	if n.Kind == yaml.ScalarNode {
		d.JSON = strings.TrimSpace(n.Value)
		return nil
	}
	var b bytes.Buffer
	writeNodeJSON(&b, n)
	d.JSON = b.String()
	return nil
}

func writeNodeJSON(b *bytes.Buffer, n *yaml.Node) {
	switch n.Kind {
	case yaml.AliasNode:
		writeNodeJSON(b, n.Alias)
	case yaml.MappingNode, yaml.SequenceNode:
		open, close, step := "[", "]", 1
		if n.Kind == yaml.MappingNode {
			open, close, step = "{", "}", 2
		}
		b.WriteString(open)
		for i := 0; i+step-1 < len(n.Content); i += step {
			if i > 0 {
				b.WriteByte(',')
			}
			if step == 2 {
				key, _ := json.Marshal(n.Content[i].Value)
				b.Write(key)
				b.WriteByte(':')
			}
			writeNodeJSON(b, n.Content[i+step-1])
		}
		b.WriteString(close)
	default:
		b.Write(scalarJSON(n))
	}
}

func scalarJSON(n *yaml.Node) []byte {
	switch n.ShortTag() {
	case "!!null":
		return []byte("null")
	case "!!bool", "!!int", "!!float":
		if json.Valid([]byte(n.Value)) {
			return []byte(n.Value)
		}
	}
	out, _ := json.Marshal(n.Value)
	return out
}

// fixtureLoad is one fixture being applied: where it came from, the world it
// builds, and every problem found (each with file:line).
type fixtureLoad struct {
	source string
	w      *state.World
	errs   []error
}

func (l *fixtureLoad) errorf(line int, format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf("%s:%d: %s", l.source, line, fmt.Sprintf(format, args...)))
}

// loadFixtureFile sets up w from a fixture file.
func loadFixtureFile(path string, w *state.World) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading fixture: %w", err)
	}
	w.Lock()
	defer w.Unlock()
	return applyFixture(data, path, w)
}

// applyFixture adds a YAML fixture's world to w. Call with w's write lock held.
// Either the whole fixture applies or, when any problem is found, nothing does;
// the error lists every problem with source:line.
func applyFixture(data []byte, source string, w *state.World) error {
	l := &fixtureLoad{source: source}
	doc, ok := l.decode(data)
	if !ok {
		return l.err()
	}
	snap, err := w.Snapshot()
	if err != nil {
		return fmt.Errorf("copying the world for fixture %s: %w", source, err)
	}
	l.w = state.NewWorld()
	if err := l.w.Restore(snap); err != nil {
		return fmt.Errorf("copying the world for fixture %s: %w", source, err)
	}
	if doc.Organization != nil {
		l.applyOrganization(doc.Organization)
	}
	ids := make([]string, 0, len(doc.Accounts))
	for id := range doc.Accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		l.applyAccount(id, doc.Accounts[id])
	}
	for _, c := range doc.Credentials {
		l.applyCredential(c)
	}
	if len(l.errs) > 0 {
		return l.err()
	}
	if snap, err = l.w.Snapshot(); err != nil {
		return fmt.Errorf("encoding fixture world: %w", err)
	}
	return w.Restore(snap)
}

func (l *fixtureLoad) err() error {
	return fmt.Errorf("loading fixture: %w", errors.Join(l.errs...))
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// decode parses the document, then walks it beside its YAML nodes to reject
// unknown fields and record each item's line.
func (l *fixtureLoad) decode(data []byte) (*fixture, bool) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		l.yamlErrors(err)
		return nil, false
	}
	doc := &fixture{}
	if len(root.Content) == 0 {
		return doc, true
	}
	if err := root.Decode(doc); err != nil {
		l.yamlErrors(err)
		return nil, false
	}
	l.walk(&root, reflect.ValueOf(doc))
	return doc, len(l.errs) == 0
}

// yamlErrors turns yaml.v3's "line N: …" messages into source:N: ….
func (l *fixtureLoad) yamlErrors(err error) {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, m := range msgs {
		line := 0
		if sub := yamlLine.FindStringSubmatch(m); sub != nil {
			line, _ = strconv.Atoi(sub[1])
			m = m[len(sub[0]):]
		}
		l.errorf(line, "%s", strings.TrimPrefix(m, "yaml: "))
	}
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// walk reports mapping keys that no field takes (yaml.v3 would drop them
// silently) and sets every struct's Line field to where it starts in the file.
func (l *fixtureLoad) walk(n *yaml.Node, v reflect.Value) {
	for n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			return
		}
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if reflect.PointerTo(v.Type()).Implements(unmarshalerType) {
		return
	}
	switch {
	case v.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		l.walkStruct(n, v)
	case v.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i := 0; i < len(n.Content) && i < v.Len(); i++ {
			l.walk(n.Content[i], v.Index(i))
		}
	case v.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := reflect.ValueOf(n.Content[i].Value)
			if !key.Type().AssignableTo(v.Type().Key()) {
				continue
			}
			item := v.MapIndex(key)
			if !item.IsValid() {
				continue // a key YAML decoded differently (an alias or a null)
			}
			if item.Kind() == reflect.Pointer && item.IsNil() {
				item = reflect.New(v.Type().Elem().Elem())
				v.SetMapIndex(key, item)
			}
			l.walk(n.Content[i+1], item)
			setLine(item, n.Content[i].Line)
		}
	}
}

func (l *fixtureLoad) walkStruct(n *yaml.Node, v reflect.Value) {
	setLine(v, n.Line)
	t := v.Type()
	fields := map[string]int{}
	var known []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
			known = append(known, name)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		idx, ok := fields[k.Value]
		if !ok {
			l.errorf(k.Line, "unknown field %q (this level takes: %s)", k.Value, strings.Join(known, ", "))
			continue
		}
		l.walk(n.Content[i+1], v.Field(idx))
	}
}

func setLine(v reflect.Value, line int) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	if f := v.FieldByName("Line"); f.IsValid() && f.CanSet() && f.Kind() == reflect.Int {
		f.SetInt(int64(line))
	}
}

// applyCredential registers a static access key (the account's root unless it is
// a user's key, which belongs under the user's access_keys).
func (l *fixtureLoad) applyCredential(c credentialFixture) {
	switch {
	case !accessKeyIDPattern.MatchString(c.AccessKeyID):
		l.errorf(c.Line, "credential: access_key_id %q must be 12 to 128 letters, digits or underscores", c.AccessKeyID)
		return
	case c.SecretAccessKey == "":
		l.errorf(c.Line, "credential %s: secret_access_key is required", c.AccessKeyID)
		return
	}
	account := c.Account
	if account == "" {
		account = state.DefaultAccount
		if twelveDigits.MatchString(c.AccessKeyID) {
			account = c.AccessKeyID
		}
	}
	if !twelveDigits.MatchString(account) {
		l.errorf(c.Line, "credential %s: account %q must be a 12-digit account ID in quotes", c.AccessKeyID, account)
		return
	}
	if !l.claimKeyID(c.Line, c.AccessKeyID) {
		return
	}
	l.w.Credentials[c.AccessKeyID] = &state.Credential{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Account: account}
	l.w.Account(account)
}

var accessKeyIDPattern = regexp.MustCompile(`^\w{12,128}$`)

// claimKeyID reports whether an access key ID is still free.
func (l *fixtureLoad) claimKeyID(line int, id string) bool {
	_, cred := l.w.Credentials[id]
	_, sess := l.w.Sessions[id]
	if cred || sess {
		l.errorf(line, "access key %s is defined twice (or already exists in the sandbox)", id)
		return false
	}
	return true
}
