package iam

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func accessKeyOperations(ops map[string]awsproto.Operation) {
	ops["CreateAccessKey"] = write(createAccessKey)
	ops["ListAccessKeys"] = read(listAccessKeys)
	ops["UpdateAccessKey"] = write(accessKeys.update)
	ops["DeleteAccessKey"] = write(func(r *awsproto.Request) (any, error) {
		return accessKeys.delete(r, func(k *iamstate.AccessKey) { // the secret no longer signs
			delete(r.World.Credentials, k.ID)
			r.World.ForgetKeyUse(k.ID)
		})
	})
	ops["GetAccessKeyLastUsed"] = read(getAccessKeyLastUsed)
}

// accessKeysPerUser is IAM's fixed quota.
const accessKeysPerUser = 2

var accessKeyIDRule = awsproto.NewRule(16, 128, `[\w]+`)

// statusValues is the model's statusType enum.
var statusValues = []string{"Active", "Inactive", "Expired"}

// targetUser is the user an operation acts on: the named one or, when the name is
// left out, the IAM user whose access key signed the request. The sandbox keeps no
// root-user credentials, so root and role callers must name a user.
func targetUser(r *awsproto.Request, a iamAccount, name string) (*iamstate.User, error) {
	if name != "" {
		return findUser(a, name)
	}
	if cred, ok := r.World.Credentials[r.Caller.AccessKeyID]; ok && cred.User != "" && cred.Account == a.ID {
		return findUser(a, cred.User)
	}
	return nil, awsproto.ValidationError("Must specify userName when calling with non-User credentials")
}

// readStatus reads a required Status and checks the model's enum.
func readStatus(p awsproto.Params, v *awsproto.Validator) string {
	s := v.Required(p, "Status", awsproto.Rule{})
	if p.Has("Status") && !slices.Contains(statusValues, s) {
		v.Addf("Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [%s]", s, strings.Join(statusValues, ", "))
	}
	return s
}

// settableStatus refuses Expired: the model's enum has it because listings report
// it, but only Active and Inactive can be set.
func settableStatus(status string) error {
	if status == "Expired" {
		return invalidInput("Invalid status %s. Valid statuses are Active and Inactive.", status)
	}
	return nil
}

// xmlAccessKey is the AccessKey shape (CreateAccessKey only: it carries the secret).
type xmlAccessKey struct {
	UserName        string
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string
	SecretAccessKey string
	CreateDate      time.Time
}

// xmlAccessKeyMetadata is the AccessKeyMetadata shape.
type xmlAccessKeyMetadata struct {
	UserName    string
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string
	CreateDate  time.Time
}

// newSecretAccessKey returns 40 characters of base64, the form AWS's secrets have.
func newSecretAccessKey() string {
	b := make([]byte, 30)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func createAccessKey(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", existingUserNameRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	u, err := targetUser(r, a, name)
	if err != nil {
		return nil, err
	}
	if len(u.AccessKeys) >= accessKeysPerUser {
		return nil, limitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", accessKeysPerUser)
	}
	k := &iamstate.AccessKey{ID: state.NewID("AKIA", 16), Status: "Active", Created: state.Now()}
	secret := newSecretAccessKey()
	u.AccessKeys = append(u.AccessKeys, k)
	// Registering the secret is what makes the key sign requests as this user.
	r.World.Credentials[k.ID] = &state.Credential{AccessKeyID: k.ID, SecretAccessKey: secret, Account: a.ID, User: u.Name}
	return struct{ AccessKey xmlAccessKey }{xmlAccessKey{
		UserName: u.Name, AccessKeyID: k.ID, Status: k.Status, SecretAccessKey: secret, CreateDate: k.Created,
	}}, nil
}

type listAccessKeysResult struct {
	AccessKeyMetadata []xmlAccessKeyMetadata `xml:"AccessKeyMetadata>member"`
	pageResult
}

func listAccessKeys(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", existingUserNameRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := targetUser(r, accountToRead(r), name)
	if err != nil {
		return nil, err
	}
	keys := sortedBy(u.AccessKeys, func(k *iamstate.AccessKey) string { return k.ID })
	page, res := paginateSlice(keys, func(k *iamstate.AccessKey) string { return k.ID }, pg)
	out := listAccessKeysResult{AccessKeyMetadata: make([]xmlAccessKeyMetadata, len(page)), pageResult: res}
	for i, k := range page {
		out.AccessKeyMetadata[i] = xmlAccessKeyMetadata{UserName: u.Name, AccessKeyID: k.ID, Status: k.Status, CreateDate: k.Created}
	}
	return out, nil
}

// xmlKeyLastUsed is the AccessKeyLastUsed shape; "N/A" stands for never used.
type xmlKeyLastUsed struct {
	LastUsedDate *time.Time `xml:",omitempty"`
	ServiceName  string
	Region       string
}

func getAccessKeyLastUsed(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	id := v.Required(r.Params, "AccessKeyId", accessKeyIDRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	// AWS answers AccessDenied, not NoSuchEntity, for a key the caller cannot see.
	cred, ok := r.World.Credentials[id]
	if !ok || cred.User == "" || cred.Account != r.Caller.Account {
		return nil, awsproto.Errorf(http.StatusForbidden, "AccessDenied",
			"User: %s is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key %s", r.Caller.ARN, id)
	}
	out := struct {
		UserName          string
		AccessKeyLastUsed xmlKeyLastUsed
	}{UserName: cred.User, AccessKeyLastUsed: xmlKeyLastUsed{ServiceName: "N/A", Region: "N/A"}}
	if use, ok := keyLastUsed(r.World, cred); ok {
		out.AccessKeyLastUsed = xmlKeyLastUsed{LastUsedDate: &use.Time, ServiceName: use.Service, Region: use.Region}
	}
	return out, nil
}

// keyLastUsed is the last use of the key a credential is, if its user still has it.
func keyLastUsed(w *state.World, cred *state.Credential) (state.KeyUse, bool) {
	u, ok := iamstate.UserOfKey(w, cred)
	if !ok {
		return w.KeyLastUsed(cred.AccessKeyID)
	}
	_, k, err := accessKeys.find(u, cred.AccessKeyID)
	if err != nil {
		return w.KeyLastUsed(cred.AccessKeyID)
	}
	return lastUse(w, k)
}

// lastUse is the key's last use: the one the router recorded since the world
// was loaded, else the one stored with the key (set through the inspection
// API, POST /_sandbox/iam/last-used).
func lastUse(w *state.World, k *iamstate.AccessKey) (state.KeyUse, bool) {
	if use, ok := w.KeyLastUsed(k.ID); ok {
		return use, true
	}
	if k.LastUsed.IsZero() {
		return state.KeyUse{}, false
	}
	return state.KeyUse{Time: k.LastUsed, Service: k.LastUsedService, Region: k.LastUsedRegion}, true
}

// sortedBy returns a sorted copy of items, for paginating a user's credentials
// with paginateSlice (which needs items in key order).
func sortedBy[T any](items []T, key func(T) string) []T {
	out := slices.Clone(items)
	slices.SortFunc(out, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	return out
}

// accessKeys are a user's AccessKeys, for their Update and Delete operations.
var accessKeys = userCredential[iamstate.AccessKey]{
	idParam: "AccessKeyId", idRule: accessKeyIDRule, nameRequired: false, missing: "The Access Key with id %s cannot be found.",
	items:  func(u *iamstate.User) *[]*iamstate.AccessKey { return &u.AccessKeys },
	id:     func(c *iamstate.AccessKey) string { return c.ID },
	status: func(c *iamstate.AccessKey) *string { return &c.Status },
}
