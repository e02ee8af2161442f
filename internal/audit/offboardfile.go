package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// candidate is one person of the offboarding file: a user name and where
// its user is a candidate, with the findings that make it one.
type candidate struct {
	User   // as found in its first scope
	scopes []string
	why    []string // one comment line per scope
}

// candidates gathers the report's candidates by user name (IAM's names ignore
// case), in name order.
func (r *Report) candidates() []*candidate {
	byName := map[string]*candidate{}
	var out []*candidate
	for _, u := range r.Users {
		if !u.Candidate {
			continue
		}
		key := strings.ToLower(u.UserName)
		c, ok := byName[key]
		if !ok {
			c = &candidate{User: u}
			byName[key] = c
			out = append(out, c)
		}
		var kinds []string
		for _, f := range u.Findings {
			kinds = append(kinds, f.Kind+" ("+f.Detail+")")
		}
		c.scopes = append(c.scopes, u.Scope)
		c.why = append(c.why, u.Scope+": "+strings.Join(kinds, "; "))
	}
	slices.SortStableFunc(out, func(a, b *candidate) int {
		return strings.Compare(strings.ToLower(a.UserName), strings.ToLower(b.UserName))
	})
	return out
}

// WriteOffboardFile writes the offboarding candidates to path (mode 0600,
// replaced atomically) as a gatehouse spec that `gatehouse offboard -f`
// reads: the accounts and role the audit used, and one person per user name
// with the accounts where it is a candidate, under a comment naming the
// findings. Protected users and the identity gatehouse runs as are never
// candidates. With no candidate the file lists nobody, and offboarding it
// stops at "no people": an old file is never left to be applied again.
// Identity Center's people are written with their address and names, which
// a spec needs of them. It returns how many people it lists.
func WriteOffboardFile(path string, r *Report, in *spec.Input, now time.Time) (int, error) {
	cands := r.candidates()
	idc := r.Directory == engine.DirectoryIdentityCenter
	var b bytes.Buffer
	writeFileHeader(&b, r, now)
	b.WriteString("version: 1\n")
	switch {
	case idc:
		writeIdentityCenter(&b, in.IdentityCenter)
	case len(cands) > 0:
		var accounts []string
		for _, c := range cands {
			accounts = append(accounts, c.scopes...)
		}
		slices.Sort(accounts)
		fmt.Fprintf(&b, "accounts: %s\n", quoteList(slices.Compact(accounts)))
		writeRole(&b, in.Role)
	}
	if len(cands) == 0 {
		b.WriteString("# Nobody: the audit found no offboarding candidate.\npeople: []\n")
		return 0, writeAtomically(path, b.Bytes())
	}
	b.WriteString("people:\n")
	n := 0
	for _, c := range cands {
		for _, line := range c.why {
			b.WriteString("  # " + oneLine(line) + "\n")
		}
		switch {
		case !idc:
			fmt.Fprintf(&b, "  - user_name: %s\n", quote(c.UserName))
			fmt.Fprintf(&b, "    accounts: %s\n", quoteList(slices.Sorted(slices.Values(c.scopes))))
			n++
		case writeCenterPerson(&b, c.User):
			n++
		}
	}
	return n, writeAtomically(path, b.Bytes())
}

// writeIdentityCenter names the directory and, when the audit was told,
// where its instance is.
func writeIdentityCenter(b *bytes.Buffer, ic spec.IdentityCenter) {
	b.WriteString("directory: " + spec.DirectoryIdentityCenter + "\n")
	if ic.Region != "" || ic.InstanceARN != "" {
		b.WriteString("identity_center:\n")
		if ic.Region != "" {
			fmt.Fprintf(b, "  region: %s\n", quote(ic.Region))
		}
		if ic.InstanceARN != "" {
			fmt.Fprintf(b, "  instance_arn: %s\n", quote(ic.InstanceARN))
		}
	}
}

// writeCenterPerson writes an Identity Center user as a spec's person, who
// needs an e-mail address and given and family names; a user without them
// is left as a comment.
func writeCenterPerson(b *bytes.Buffer, u User) bool {
	if u.Email == "" || u.GivenName == "" || u.FamilyName == "" {
		fmt.Fprintf(b, "  # %s is left out: a spec names an Identity Center person by e-mail address and given and "+
			"family name, and this user lacks one; remove it in the console\n", oneLine(u.UserName))
		return false
	}
	fmt.Fprintf(b, "  - user_name: %s\n    email: %s\n    given_name: %s\n    family_name: %s\n",
		quote(u.UserName), quote(u.Email), quote(u.GivenName), quote(u.FamilyName))
	return true
}

func writeFileHeader(b *bytes.Buffer, r *Report, now time.Time) {
	fmt.Fprintf(b, "# Offboarding candidates found by gatehouse audit on %s: users with %s\n",
		now.UTC().Format("2006-01-02 15:04 UTC"), strings.Join(r.Candidates, ", "))
	fmt.Fprintf(b, "# (unused %d days, rotation %d days). Protected users and the identity gatehouse\n",
		r.Thresholds.UnusedDays, r.Thresholds.RotationDays)
	b.WriteString("# runs as are never listed. Review it, delete whom to keep, then:\n" +
		"#   gatehouse offboard -f FILE         the plan: what each has, nothing changes\n" +
		"#   gatehouse offboard -f FILE --yes   archive, then remove them\n")
}

// writeRole writes the role the audit entered the accounts through, so the
// offboarding enters them the same way; none when the default was used.
func writeRole(b *bytes.Buffer, r spec.Role) {
	if r.Name == "" && r.ARNTemplate == "" {
		return
	}
	b.WriteString("role:\n")
	if r.Name != "" {
		fmt.Fprintf(b, "  name: %s\n", quote(r.Name))
	} else {
		fmt.Fprintf(b, "  arn: %s\n", quote(r.ARNTemplate))
	}
	if r.ExternalID != "" {
		fmt.Fprintf(b, "  external_id: %s\n", quote(r.ExternalID))
	}
	if r.SessionName != "" && r.SessionName != spec.DefaultSessionName {
		fmt.Fprintf(b, "  session_name: %s\n", quote(r.SessionName))
	}
}

// quote is s as a YAML double-quoted scalar (JSON's quoting is YAML's).
func quote(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// oneLine keeps a comment on its line whatever a name holds.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}

// writeAtomically replaces path with data, readable by its owner alone.
func writeAtomically(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing the offboarding file: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("writing the offboarding file %s: %w", path, err)
	}
	return nil
}
