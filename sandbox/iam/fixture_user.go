package iam

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

type userFixture struct {
	Line                int                          `yaml:"-"`
	Name                string                       `yaml:"name"`
	Path                string                       `yaml:"path"`
	Created             string                       `yaml:"created"`            // fixture_history.go
	PasswordLastUsed    string                       `yaml:"password_last_used"` // fixture_history.go
	Tags                fixture.Tags                 `yaml:"tags"`
	PermissionsBoundary fixture.LineString           `yaml:"permissions_boundary"`
	LoginProfile        *loginProfileFixture         `yaml:"login_profile"`
	AccessKeys          []accessKeyFixture           `yaml:"access_keys"`
	SSHKeys             []sshKeyFixture              `yaml:"ssh_keys"`
	SigningCertificates []certificateFixture         `yaml:"signing_certificates"`
	ServiceCredentials  []serviceCredFixture         `yaml:"service_credentials"`
	MFADevices          []mfaFixture                 `yaml:"mfa_devices"`
	Groups              []fixture.LineString         `yaml:"groups"`
	AttachedPolicies    []fixture.LineString         `yaml:"attached_policies"`
	InlinePolicies      map[string]fixture.PolicyDoc `yaml:"inline_policies"`
}

type loginProfileFixture struct {
	Line                  int    `yaml:"-"`
	Password              string `yaml:"password"`
	PasswordResetRequired bool   `yaml:"password_reset_required"`
	PasswordLastChanged   string `yaml:"password_last_changed"`
}

type accessKeyFixture struct {
	Line     int            `yaml:"-"`
	ID       string         `yaml:"id"`
	Secret   string         `yaml:"secret"`
	Status   string         `yaml:"status"`
	Created  string         `yaml:"created"`
	LastUsed *keyUseFixture `yaml:"last_used"`
}

type sshKeyFixture struct {
	Line   int    `yaml:"-"`
	Body   string `yaml:"body"`
	Status string `yaml:"status"`
}

type certificateFixture struct {
	Line   int    `yaml:"-"`
	Body   string `yaml:"body"`
	Status string `yaml:"status"`
}

type serviceCredFixture struct {
	Line     int    `yaml:"-"`
	Service  string `yaml:"service"`
	Password string `yaml:"password"`
	Status   string `yaml:"status"`
}

type mfaFixture struct {
	Line   int    `yaml:"-"`
	Type   string `yaml:"type"`
	Name   string `yaml:"name"`
	Path   string `yaml:"path"`
	Serial string `yaml:"serial"`
	Seed   string `yaml:"seed"`
}

// IAM's per-user quotas the fixture enforces, as the API would.
const (
	maxAccessKeys    = 2
	maxSigningCerts  = 2
	maxSSHKeys       = 5
	maxServiceCreds  = 2 // per service
	maxMFADevices    = 8
	defaultKeyStatus = "Active"
)

var (
	userAccessKeyID = regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)
	hardwareSerial  = regexp.MustCompile(`^[\w+=/:,.@-]{9,256}$`)
	serviceNames    = []string{"codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com"}
)

func (l fixtureLoad) applyUser(a iamAccount, f userFixture) {
	if !l.checkName(f.Line, "user", f.Name, 64, &f.Path) {
		return
	}
	if _, exists := a.Users.Get(f.Name); exists {
		l.Errorf(f.Line, "user %s already exists in account %s", f.Name, a.ID)
		return
	}
	owner := "user " + f.Name
	u := &iamstate.User{
		Name: f.Name, ID: state.NewID("AIDA", 17), Path: f.Path, Created: state.Now(), Tags: f.Tags,
		PermissionsBoundary: l.boundary(a, owner, f.PermissionsBoundary),
		AttachedPolicies:    l.attach(a, owner, f.AttachedPolicies), InlinePolicies: l.inline(f.Line, owner, f.InlinePolicies),
	}
	a.Users.Put(f.Name, u)
	if p := f.LoginProfile; p != nil {
		if p.Password == "" || len(p.Password) > 128 {
			l.Errorf(p.Line, "%s: login_profile.password must be 1 to 128 characters", owner)
		} else {
			u.LoginProfile = iamstate.NewLoginProfile(p.Password, p.PasswordResetRequired)
		}
	}
	l.userHistory(u, f)
	l.userGroups(a, u, f.Groups)
	l.accessKeys(a, u, f.AccessKeys)
	l.sshKeys(u, f.SSHKeys)
	l.certificates(u, f.SigningCertificates)
	l.serviceCreds(a, u, f.ServiceCredentials)
	l.mfaDevices(a, u, f.MFADevices)
}

func (l fixtureLoad) userGroups(a iamAccount, u *iamstate.User, groups []fixture.LineString) {
	for _, name := range groups {
		g, ok := a.Groups.Get(name.Value)
		switch {
		case !ok:
			l.Errorf(name.Line, "user %s: group %q does not exist in account %s (define it under groups)", u.Name, name.Value, a.ID)
		case slices.ContainsFunc(u.Groups, func(n string) bool { return strings.EqualFold(n, g.Name) }):
			l.Errorf(name.Line, "user %s: group %s is listed twice", u.Name, g.Name)
		default:
			u.Groups = append(u.Groups, g.Name)
		}
	}
}

// status checks an Active/Inactive status, defaulting to Active.
func (l fixtureLoad) status(line int, what, s string) string {
	switch s {
	case "":
		return defaultKeyStatus
	case "Active", "Inactive":
		return s
	}
	l.Errorf(line, "%s: status %q must be Active or Inactive", what, s)
	return defaultKeyStatus
}

func (l fixtureLoad) accessKeys(a iamAccount, u *iamstate.User, keys []accessKeyFixture) {
	if len(keys) > maxAccessKeys {
		l.Errorf(keys[0].Line, "user %s: %d access keys; IAM allows %d per user", u.Name, len(keys), maxAccessKeys)
		return
	}
	for _, k := range keys {
		if k.ID == "" {
			k.ID = state.NewID("AKIA", 16)
		} else if !userAccessKeyID.MatchString(k.ID) {
			l.Errorf(k.Line, "user %s: access key id %q must be AKIA followed by 16 upper-case letters or digits", u.Name, k.ID)
			continue
		}
		if k.Secret == "" {
			k.Secret = state.NewSecret(40)
		}
		status := l.status(k.Line, "user "+u.Name+": access key "+k.ID, k.Status)
		if !l.ClaimKeyID(k.Line, k.ID) {
			continue
		}
		key := &iamstate.AccessKey{ID: k.ID, Status: status, Created: state.Now()}
		l.keyHistory(u, key, k)
		u.AccessKeys = append(u.AccessKeys, key)
		l.World.Credentials[k.ID] = &state.Credential{AccessKeyID: k.ID, SecretAccessKey: k.Secret, Account: a.ID, User: u.Name}
	}
}

func (l fixtureLoad) sshKeys(u *iamstate.User, keys []sshKeyFixture) {
	if len(keys) > maxSSHKeys {
		l.Errorf(keys[0].Line, "user %s: %d SSH keys; IAM allows %d per user", u.Name, len(keys), maxSSHKeys)
		return
	}
	for _, k := range keys {
		fp, ok := sshFingerprint(k.Body)
		if !ok {
			l.Errorf(k.Line, "user %s: ssh key body must be an OpenSSH public key (ssh-rsa AAAA… comment)", u.Name)
			continue
		}
		u.SSHKeys = append(u.SSHKeys, &iamstate.SSHKey{
			ID: state.NewID("APKA", 16), Body: strings.TrimSpace(k.Body), Fingerprint: fp,
			Status: l.status(k.Line, "user "+u.Name+": ssh key", k.Status), Uploaded: state.Now(),
		})
	}
}

// sshFingerprint is the MD5 fingerprint IAM reports: colon-separated hex of the key blob.
func sshFingerprint(body string) (string, bool) {
	fields := strings.Fields(body)
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "ssh-") {
		return "", false
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil || len(blob) == 0 {
		return "", false
	}
	sum := md5.Sum(blob)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = hex.EncodeToString([]byte{b})
	}
	return strings.Join(parts, ":"), true
}

func (l fixtureLoad) certificates(u *iamstate.User, certs []certificateFixture) {
	if len(certs) > maxSigningCerts {
		l.Errorf(certs[0].Line, "user %s: %d signing certificates; IAM allows %d per user", u.Name, len(certs), maxSigningCerts)
		return
	}
	for _, c := range certs {
		block, _ := pem.Decode([]byte(strings.TrimSpace(c.Body)))
		if block == nil || block.Type != "CERTIFICATE" {
			l.Errorf(c.Line, "user %s: signing certificate body must be a PEM certificate (-----BEGIN CERTIFICATE-----)", u.Name)
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			l.Errorf(c.Line, "user %s: signing certificate does not parse: %v", u.Name, err)
			continue
		}
		u.SigningCerts = append(u.SigningCerts, &iamstate.SigningCert{
			ID: state.NewID("", 32), Body: strings.TrimSpace(c.Body),
			Status: l.status(c.Line, "user "+u.Name+": signing certificate", c.Status), Uploaded: state.Now(),
		})
	}
}

func (l fixtureLoad) serviceCreds(a iamAccount, u *iamstate.User, creds []serviceCredFixture) {
	perService := map[string]int{}
	for _, c := range creds {
		if !slices.Contains(serviceNames, c.Service) {
			l.Errorf(c.Line, "user %s: service %q must be one of %s", u.Name, c.Service, strings.Join(serviceNames, ", "))
			continue
		}
		if perService[c.Service]++; perService[c.Service] > maxServiceCreds {
			l.Errorf(c.Line, "user %s: more than %d credentials for %s", u.Name, maxServiceCreds, c.Service)
			continue
		}
		if c.Password == "" {
			c.Password = state.NewSecret(44)
		}
		sum := sha256.Sum256([]byte(c.Password))
		u.ServiceCreds = append(u.ServiceCreds, &iamstate.ServiceCred{
			ID: state.NewID("ACCA", 17), ServiceName: c.Service, ServiceUser: fmt.Sprintf("%s-at-%s", u.Name, a.ID),
			PasswordHash: hex.EncodeToString(sum[:]), Status: l.status(c.Line, "user "+u.Name+": service credential", c.Status),
			Created: state.Now(),
		})
	}
}

func (l fixtureLoad) mfaDevices(a iamAccount, u *iamstate.User, devices []mfaFixture) {
	if len(devices) > maxMFADevices {
		l.Errorf(devices[0].Line, "user %s: %d MFA devices; IAM allows %d per user", u.Name, len(devices), maxMFADevices)
		return
	}
	for _, f := range devices {
		dev := l.mfaDevice(a, u, f)
		if dev == nil {
			continue
		}
		if l.serialTaken(a, dev.Serial) {
			l.Errorf(f.Line, "user %s: MFA device %s already exists", u.Name, dev.Serial)
			continue
		}
		u.MFADevices = append(u.MFADevices, dev)
		if dev.Type == iamstate.MFAVirtual {
			a.VirtualMFA[dev.Serial] = dev
		}
	}
}

// mfaDevice builds one enabled device, or reports why it cannot.
func (l fixtureLoad) mfaDevice(a iamAccount, u *iamstate.User, f mfaFixture) *iamstate.MFADevice {
	now := state.Now()
	dev := &iamstate.MFADevice{Type: f.Type, Name: f.Name, User: u.Name, Created: now, EnableDate: now, Seed: strings.ToUpper(f.Seed)}
	if dev.Seed != "" && !validSeed(dev.Seed) {
		l.Errorf(f.Line, "user %s: MFA seed must be base32 (letters A–Z and digits 2–7)", u.Name)
		return nil
	}
	switch f.Type {
	case iamstate.MFAVirtual:
		if !l.checkName(f.Line, "virtual MFA device", f.Name, 226, &f.Path) {
			return nil
		}
		dev.Path, dev.Serial = f.Path, fmt.Sprintf("arn:aws:iam::%s:mfa%s%s", a.ID, f.Path, f.Name)
	case iamstate.MFAHardware:
		dev.Serial = f.Serial
		if dev.Serial == "" {
			dev.Serial = state.NewID("GAHT", 8)
		} else if !hardwareSerial.MatchString(dev.Serial) {
			l.Errorf(f.Line, "user %s: hardware MFA serial %q must be 9 to 256 characters of letters, digits and +=/:,.@_-", u.Name, f.Serial)
			return nil
		}
	case iamstate.MFAPasskey:
		if dev.Name == "" {
			dev.Name = "passkey"
		}
		dev.Seed = ""
		dev.Serial = fmt.Sprintf("arn:aws:iam::%s:u2f/user/%s/%s", a.ID, u.Name, state.NewID(dev.Name+"-", 26))
	default:
		l.Errorf(f.Line, "user %s: MFA device type %q must be virtual, hardware or passkey", u.Name, f.Type)
		return nil
	}
	if dev.Seed == "" && dev.Type != iamstate.MFAPasskey {
		dev.Seed = state.NewSecret(32)
	}
	return dev
}

func validSeed(seed string) bool {
	_, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(seed, "="))
	return err == nil && len(seed) >= 16
}

func (l fixtureLoad) serialTaken(a iamAccount, serial string) bool {
	if _, ok := a.VirtualMFA[serial]; ok {
		return true
	}
	for _, u := range a.Users.All() {
		for _, d := range u.MFADevices {
			if d.Serial == serial {
				return true
			}
		}
	}
	return false
}
