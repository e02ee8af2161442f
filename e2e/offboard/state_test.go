package offboard_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// world is the part of GET /_sandbox/state the test reads: the sandbox's own
// record of every user and everything attached to it.
type world struct {
	Accounts map[string]*struct {
		Users      map[string]*stateUser `json:"users"`       // keyed by lower-cased name
		VirtualMFA map[string]*stateMFA  `json:"virtual_mfa"` // by serial, assigned or not
	} `json:"accounts"`
}

type stateUser struct {
	Name                string            `json:"name"`
	ID                  string            `json:"id"`
	Path                string            `json:"path"`
	Tags                []stateTag        `json:"tags"`
	PermissionsBoundary string            `json:"permissions_boundary"`
	LoginProfile        *json.RawMessage  `json:"login_profile"`
	AccessKeys          []stateCred       `json:"access_keys"`
	SSHKeys             []stateCred       `json:"ssh_keys"`
	SigningCerts        []stateCred       `json:"signing_certs"`
	ServiceCreds        []stateCred       `json:"service_creds"`
	MFADevices          []stateMFA        `json:"mfa_devices"`
	Groups              []string          `json:"groups"`
	InlinePolicies      map[string]string `json:"inline_policies"`
	AttachedPolicies    []string          `json:"attached_policies"`
}

type stateTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type stateCred struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Body        string `json:"body"`
	ServiceName string `json:"service_name"`
}

type stateMFA struct {
	Serial string `json:"serial"`
	Type   string `json:"type"`
	User   string `json:"user"`
}

func (s *sandbox) world(t testing.TB) world {
	t.Helper()
	var w world
	s.Inspect(t, http.MethodGet, "state", nil, &w)
	return w
}

// user returns the user called name in account, or nil.
func (w world) user(account, name string) *stateUser {
	a := w.Accounts[account]
	if a == nil {
		return nil
	}
	return a.Users[strings.ToLower(name)]
}

// userRef is one person's user in one account.
type userRef struct{ account, name string }

func (r userRef) String() string { return r.account + "/" + r.name }

// refs are every user the people file selects.
func refs(everyone []person) []userRef {
	var out []userRef
	for _, p := range everyone {
		for _, a := range p.Accounts {
			out = append(out, userRef{a, p.UserName})
		}
	}
	return out
}

// contents is everything attached to a user as comparable lines, one per
// item: what an archive must hold for the user to be recreated by hand.
// Both the sandbox's state and an archive record are turned into it.
type contents []string

func (c contents) missingFrom(other contents) []string {
	var out []string
	for _, line := range c {
		if !slices.Contains(other, line) {
			out = append(out, line)
		}
	}
	return out
}

func stateContents(u *stateUser) contents {
	var c contents
	add := func(format string, args ...any) { c = append(c, fmt.Sprintf(format, args...)) }
	add("user %s id %s path %s", u.Name, u.ID, u.Path)
	for _, t := range u.Tags {
		add("tag %s=%s", t.Key, t.Value)
	}
	if u.PermissionsBoundary != "" {
		add("boundary %s", u.PermissionsBoundary)
	}
	if u.LoginProfile != nil {
		add("login profile")
	}
	for _, k := range u.AccessKeys {
		add("access key %s %s", k.ID, k.Status)
	}
	for _, k := range u.SSHKeys {
		add("ssh key %s %s %s", k.ID, k.Status, strings.TrimSpace(k.Body))
	}
	for _, k := range u.SigningCerts {
		add("certificate %s %s %s", k.ID, k.Status, strings.TrimSpace(k.Body))
	}
	for _, k := range u.ServiceCreds {
		add("service credential %s %s %s", k.ID, k.ServiceName, k.Status)
	}
	for _, d := range u.MFADevices {
		add("mfa %s %s", d.Type, d.Serial)
	}
	for _, g := range u.Groups {
		add("group %s", strings.ToLower(g))
	}
	for name, doc := range u.InlinePolicies {
		add("inline policy %s %s", name, canonicalJSON(doc))
	}
	for _, p := range u.AttachedPolicies {
		add("attached policy %s", p)
	}
	slices.Sort(c)
	return c
}

// archiveRecord is the archive's format (README, "The archive record"), read
// independently of the engine's own types.
type archiveRecord struct {
	Format  string `json:"Format"`
	Action  string `json:"Action"`
	RunID   int64  `json:"RunId"`
	Account string `json:"Account"`
	User    struct {
		UserName            string `json:"UserName"`
		UserID              string `json:"UserId"`
		Path                string `json:"Path"`
		PermissionsBoundary string `json:"PermissionsBoundary"`
		Tags                []struct {
			Key   string `json:"Key"`
			Value string `json:"Value"`
		} `json:"Tags"`
	} `json:"User"`
	LoginProfile *json.RawMessage `json:"LoginProfile"`
	AccessKeys   []struct {
		AccessKeyID string `json:"AccessKeyId"`
		Status      string `json:"Status"`
	} `json:"AccessKeys"`
	SSHPublicKeys []struct {
		ID     string `json:"SSHPublicKeyId"`
		Status string `json:"Status"`
		Body   string `json:"SSHPublicKeyBody"`
	} `json:"SSHPublicKeys"`
	SigningCertificates []struct {
		ID     string `json:"CertificateId"`
		Status string `json:"Status"`
		Body   string `json:"CertificateBody"`
	} `json:"SigningCertificates"`
	ServiceSpecificCredentials []struct {
		ID          string `json:"ServiceSpecificCredentialId"`
		ServiceName string `json:"ServiceName"`
		Status      string `json:"Status"`
	} `json:"ServiceSpecificCredentials"`
	MFADevices []struct {
		SerialNumber string `json:"SerialNumber"`
		Type         string `json:"Type"`
		Assigned     bool   `json:"Assigned"`
	} `json:"MFADevices"`
	Groups []struct {
		GroupName string `json:"GroupName"`
	} `json:"Groups"`
	InlinePolicies []struct {
		PolicyName     string          `json:"PolicyName"`
		PolicyDocument json.RawMessage `json:"PolicyDocument"`
	} `json:"InlinePolicies"`
	AttachedPolicies []struct {
		PolicyArn string `json:"PolicyArn"`
	} `json:"AttachedPolicies"`
}

func (r *archiveRecord) contents() contents {
	var c contents
	add := func(format string, args ...any) { c = append(c, fmt.Sprintf(format, args...)) }
	u := r.User
	add("user %s id %s path %s", u.UserName, u.UserID, u.Path)
	for _, t := range u.Tags {
		add("tag %s=%s", t.Key, t.Value)
	}
	if u.PermissionsBoundary != "" {
		add("boundary %s", u.PermissionsBoundary)
	}
	if r.LoginProfile != nil {
		add("login profile")
	}
	for _, k := range r.AccessKeys {
		add("access key %s %s", k.AccessKeyID, k.Status)
	}
	for _, k := range r.SSHPublicKeys {
		add("ssh key %s %s %s", k.ID, k.Status, strings.TrimSpace(k.Body))
	}
	for _, k := range r.SigningCertificates {
		add("certificate %s %s %s", k.ID, k.Status, strings.TrimSpace(k.Body))
	}
	for _, k := range r.ServiceSpecificCredentials {
		add("service credential %s %s %s", k.ID, k.ServiceName, k.Status)
	}
	for _, d := range r.MFADevices {
		if d.Assigned { // an unassigned one is an earlier run's leftover, not the user's
			add("mfa %s %s", d.Type, d.SerialNumber)
		}
	}
	for _, g := range r.Groups {
		add("group %s", strings.ToLower(g.GroupName))
	}
	for _, p := range r.InlinePolicies {
		doc := string(p.PolicyDocument)
		var s string
		if json.Unmarshal(p.PolicyDocument, &s) == nil { // kept as a string when not JSON
			doc = s
		}
		add("inline policy %s %s", p.PolicyName, canonicalJSON(doc))
	}
	for _, p := range r.AttachedPolicies {
		add("attached policy %s", p.PolicyArn)
	}
	slices.Sort(c)
	return c
}

// canonicalJSON re-encodes a JSON document so equal documents compare equal;
// anything else is kept as it is.
func canonicalJSON(doc string) string {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return doc
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// sameContents reports whether the two are equal, ignoring order.
func sameContents(a, b contents) bool { return reflect.DeepEqual(a, b) }
