package iam

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func serviceCredOperations(ops map[string]awsproto.Operation) {
	ops["CreateServiceSpecificCredential"] = write(createServiceCred)
	ops["ListServiceSpecificCredentials"] = read(listServiceCreds)
	ops["UpdateServiceSpecificCredential"] = write(updateServiceCred)
	ops["ResetServiceSpecificCredential"] = write(resetServiceCred)
	ops["DeleteServiceSpecificCredential"] = write(deleteServiceCred)
}

// credentialServices are the services IAM issues service-specific credentials for.
// CodeCommit and Keyspaces get a user name and password; Bedrock and CloudWatch
// Logs get an API key (an alias and a secret) that may expire.
var credentialServices = map[string]bool{ // name → issues API keys
	"codecommit.amazonaws.com": false,
	"cassandra.amazonaws.com":  false,
	"bedrock.amazonaws.com":    true,
	"logs.amazonaws.com":       true,
}

// serviceCredsPerService is IAM's quota per user and service.
const serviceCredsPerService = 2

var (
	serviceCredIDRule   = awsproto.NewRule(20, 128, `[\w]+`)
	serviceNameRule     = awsproto.Rule{} // the model leaves serviceName unconstrained
	credentialAgeLimits = [2]int{1, 36600}
)

func notSupportedService(name string) error {
	return awsproto.Errorf(http.StatusNotFound, "NotSupportedService",
		"The service %s does not support service-specific credentials.", name)
}

// xmlServiceCred is the ServiceSpecificCredential shape (Create and Reset only:
// it carries the password or secret, which IAM shows once).
type xmlServiceCred struct {
	CreateDate                  time.Time
	ExpirationDate              *time.Time `xml:",omitempty"`
	ServiceName                 string
	ServiceUserName             string `xml:",omitempty"`
	ServicePassword             string `xml:",omitempty"`
	ServiceCredentialAlias      string `xml:",omitempty"`
	ServiceCredentialSecret     string `xml:",omitempty"`
	ServiceSpecificCredentialID string `xml:"ServiceSpecificCredentialId"`
	UserName                    string
	Status                      string
}

// xmlServiceCredMetadata is the ServiceSpecificCredentialMetadata shape.
type xmlServiceCredMetadata struct {
	UserName                    string
	Status                      string
	ServiceUserName             string `xml:",omitempty"`
	ServiceCredentialAlias      string `xml:",omitempty"`
	CreateDate                  time.Time
	ServiceSpecificCredentialID string `xml:"ServiceSpecificCredentialId"`
	ServiceName                 string
}

// apiKeyAlias is the public part of an API key: the service user name and a
// version-and-creation suffix.
func apiKeyAlias(c *iamstate.ServiceCred) string {
	return fmt.Sprintf("%s-v1-%d", c.ServiceUser, c.Created.Unix())
}

func serviceCredMetadata(u *iamstate.User, c *iamstate.ServiceCred) xmlServiceCredMetadata {
	m := xmlServiceCredMetadata{UserName: u.Name, Status: c.Status, CreateDate: c.Created, ServiceSpecificCredentialID: c.ID, ServiceName: c.ServiceName}
	if credentialServices[c.ServiceName] {
		m.ServiceCredentialAlias = apiKeyAlias(c)
	} else {
		m.ServiceUserName = c.ServiceUser
	}
	return m
}

// issueSecret sets a new random password on c and returns it in the response
// shape. Only a SHA-256 hash is kept: the password is 256 random bits, so an
// unsalted hash is as strong as a salted one.
func issueSecret(u *iamstate.User, c *iamstate.ServiceCred) xmlServiceCred {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret := base64.StdEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(secret))
	c.PasswordHash = hex.EncodeToString(sum[:])
	out := xmlServiceCred{CreateDate: c.Created, ServiceName: c.ServiceName, ServiceSpecificCredentialID: c.ID, UserName: u.Name, Status: c.Status}
	if credentialServices[c.ServiceName] {
		out.ServiceCredentialAlias, out.ServiceCredentialSecret = apiKeyAlias(c), secret
	} else {
		out.ServiceUserName, out.ServicePassword = c.ServiceUser, secret
	}
	return out
}

func createServiceCred(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", userNameRule)
	service := v.Required(r.Params, "ServiceName", serviceNameRule)
	days, hasDays, err := r.Params.Int("CredentialAgeDays")
	if err != nil {
		return nil, err
	}
	if hasDays && (days < credentialAgeLimits[0] || days > credentialAgeLimits[1]) {
		v.Addf("Value '%d' at 'credentialAgeDays' failed to satisfy constraint: Member must have value between %d and %d", days, credentialAgeLimits[0], credentialAgeLimits[1])
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	u, err := findUser(a, name)
	if err != nil {
		return nil, err
	}
	apiKey, ok := credentialServices[service]
	if !ok {
		return nil, notSupportedService(service)
	}
	if hasDays && !apiKey {
		return nil, awsproto.ValidationError("CredentialAgeDays is only valid for Bedrock and CloudWatch Logs API keys.")
	}
	n := 0
	for _, c := range u.ServiceCreds {
		if c.ServiceName == service {
			n++
		}
	}
	if n >= serviceCredsPerService {
		return nil, limitExceeded("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d", serviceCredsPerService)
	}
	c := &iamstate.ServiceCred{ID: state.NewID("ACCA", 17), ServiceName: service, ServiceUser: fmt.Sprintf("%s-at-%s", u.Name, a.ID), Status: "Active", Created: state.Now()}
	u.ServiceCreds = append(u.ServiceCreds, c)
	out := issueSecret(u, c)
	if hasDays {
		// Reported at creation; iamstate.ServiceCred has no field to keep it for listings.
		exp := c.Created.AddDate(0, 0, days)
		out.ExpirationDate = &exp
	}
	return struct{ ServiceSpecificCredential xmlServiceCred }{out}, nil
}

type listServiceCredsResult struct {
	ServiceSpecificCredentials []xmlServiceCredMetadata `xml:"ServiceSpecificCredentials>member"`
	pageResult
}

// ownedCred is a credential with its user, for listings across users.
type ownedCred struct {
	user *iamstate.User
	cred *iamstate.ServiceCred
}

func listServiceCreds(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", userNameRule)
	service := v.Optional(r.Params, "ServiceName", serviceNameRule)
	allUsers, _, err := r.Params.Bool("AllUsers")
	if err != nil {
		return nil, err
	}
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if allUsers && name != "" {
		return nil, awsproto.ValidationError("AllUsers cannot be specified together with UserName.")
	}
	if _, ok := credentialServices[service]; service != "" && !ok {
		return nil, notSupportedService(service)
	}
	a := accountToRead(r)
	users := a.Users.All()
	if !allUsers {
		u, err := targetUser(r, a, name)
		if err != nil {
			return nil, err
		}
		users = []*iamstate.User{u}
	}
	var creds []ownedCred
	for _, u := range users {
		for _, c := range u.ServiceCreds {
			if service == "" || c.ServiceName == service {
				creds = append(creds, ownedCred{u, c})
			}
		}
	}
	id := func(o ownedCred) string { return o.cred.ID }
	page, res := paginateSlice(sortedBy(creds, id), id, pg)
	out := listServiceCredsResult{ServiceSpecificCredentials: make([]xmlServiceCredMetadata, len(page)), pageResult: res}
	for i, o := range page {
		out.ServiceSpecificCredentials[i] = serviceCredMetadata(o.user, o.cred)
	}
	return out, nil
}

// serviceCredTarget reads UserName and ServiceSpecificCredentialId into v (after
// whatever the caller read into it) and finds that credential of the user.
func serviceCredTarget(r *awsproto.Request, v *awsproto.Validator) (*iamstate.User, int, error) {
	name := v.Optional(r.Params, "UserName", userNameRule)
	id := v.Required(r.Params, "ServiceSpecificCredentialId", serviceCredIDRule)
	if err := v.Err(); err != nil {
		return nil, -1, err
	}
	u, err := targetUser(r, accountToWrite(r), name)
	if err != nil {
		return nil, -1, err
	}
	for i, c := range u.ServiceCreds {
		if c.ID == id {
			return u, i, nil
		}
	}
	return nil, -1, noSuchEntity("The Service Specific Credential with id %s cannot be found.", id)
}

func updateServiceCred(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	status := readStatus(r.Params, &v)
	u, i, err := serviceCredTarget(r, &v)
	if err != nil {
		return nil, err
	}
	if err := settableStatus(status); err != nil {
		return nil, err
	}
	u.ServiceCreds[i].Status = status
	return nil, nil
}

func resetServiceCred(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	u, i, err := serviceCredTarget(r, &v)
	if err != nil {
		return nil, err
	}
	return struct{ ServiceSpecificCredential xmlServiceCred }{issueSecret(u, u.ServiceCreds[i])}, nil
}

func deleteServiceCred(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	u, i, err := serviceCredTarget(r, &v)
	if err != nil {
		return nil, err
	}
	u.ServiceCreds = slices.Delete(u.ServiceCreds, i, i+1)
	return nil, nil
}
