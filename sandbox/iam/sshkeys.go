package iam

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// An SSH public key as IAM accepts it for CodeCommit: an OpenSSH authorized_keys
// line (ssh-rsa, ecdsa-sha2-nistp*, ssh-ed25519) or a PEM public key (PKIX or
// PKCS #1). Parsing follows RFC 4253 §6.6 and RFC 5656/8709 without x/crypto/ssh.

type sshKey struct {
	typ  string // ssh-rsa, ecdsa-sha2-nistp256, ssh-ed25519, …
	wire []byte // the RFC 4253 public key blob
	pub  any    // *rsa.PublicKey, *ecdh.PublicKey or ed25519.PublicKey
}

// minRSABits is IAM's documented minimum for SSH RSA keys.
const minRSABits = 2048

func invalidPublicKey(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidPublicKey", format, args...)
}

func unrecognizedEncoding() error {
	return awsproto.Errorf(http.StatusBadRequest, "UnrecognizedPublicKeyEncoding",
		"The public key encoding format is unsupported or unrecognized.")
}

var errMalformedKey = errors.New("malformed key blob")

var sshCurves = map[string]ecdh.Curve{"nistp256": ecdh.P256(), "nistp384": ecdh.P384(), "nistp521": ecdh.P521()}

// parseSSHPublicKey decodes an uploaded SSHPublicKeyBody.
func parseSSHPublicKey(body string) (*sshKey, error) {
	body = strings.TrimSpace(body)
	if strings.HasPrefix(body, "-----BEGIN") {
		return parsePEMPublicKey(body)
	}
	fields := strings.Fields(body)
	if len(fields) < 2 || !(strings.HasPrefix(fields[0], "ssh-") || strings.HasPrefix(fields[0], "ecdsa-")) {
		return nil, unrecognizedEncoding()
	}
	wire, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return nil, invalidPublicKey("The public key is malformed: its body is not valid base64.")
	}
	k, err := parseWire(wire)
	if err != nil {
		return nil, invalidPublicKey("The public key is malformed or otherwise invalid.")
	}
	if k.typ != fields[0] {
		return nil, invalidPublicKey("The public key is malformed: it is labelled %s but holds a %s key.", fields[0], k.typ)
	}
	return k, checkKeySize(k)
}

func parsePEMPublicKey(body string) (*sshKey, error) {
	block, _ := pem.Decode([]byte(body))
	if block == nil {
		return nil, invalidPublicKey("The public key is malformed: the PEM block cannot be decoded.")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, unrecognizedEncoding()
	}
	if err != nil {
		return nil, invalidPublicKey("The public key is malformed or otherwise invalid.")
	}
	k, err := keyFromPublic(pub)
	if err != nil {
		return nil, unrecognizedEncoding()
	}
	return k, checkKeySize(k)
}

func checkKeySize(k *sshKey) error {
	if rk, ok := k.pub.(*rsa.PublicKey); ok && rk.N.BitLen() < minRSABits {
		return invalidPublicKey("The public key is too short: RSA keys must be at least %d bits, this one has %d.", minRSABits, rk.N.BitLen())
	}
	return nil
}

// parseWire decodes an RFC 4253 public key blob.
func parseWire(wire []byte) (*sshKey, error) {
	rd := bytes.NewReader(wire)
	typ, err := readSSHString(rd)
	if err != nil {
		return nil, err
	}
	k := &sshKey{typ: string(typ), wire: wire}
	switch {
	case k.typ == "ssh-rsa":
		e, err1 := readSSHString(rd)
		n, err2 := readSSHString(rd)
		if err := errors.Join(err1, err2); err != nil || len(e) > 4 {
			return nil, errMalformedKey
		}
		k.pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	case k.typ == "ssh-ed25519":
		key, err := readSSHString(rd)
		if err != nil || len(key) != ed25519.PublicKeySize {
			return nil, errMalformedKey
		}
		k.pub = ed25519.PublicKey(key)
	case strings.HasPrefix(k.typ, "ecdsa-sha2-"):
		name, err1 := readSSHString(rd)
		q, err2 := readSSHString(rd)
		curve, ok := sshCurves[string(name)]
		if errors.Join(err1, err2) != nil || !ok || "ecdsa-sha2-"+string(name) != k.typ {
			return nil, errMalformedKey
		}
		if k.pub, err = curve.NewPublicKey(q); err != nil {
			return nil, errMalformedKey
		}
	default:
		return nil, errMalformedKey
	}
	if rd.Len() != 0 {
		return nil, errMalformedKey
	}
	return k, nil
}

func readSSHString(rd *bytes.Reader) ([]byte, error) {
	var n uint32
	if err := binary.Read(rd, binary.BigEndian, &n); err != nil || int64(n) > int64(rd.Len()) {
		return nil, errMalformedKey
	}
	b := make([]byte, n)
	_, _ = rd.Read(b)
	return b, nil
}

// keyFromPublic builds the SSH form of a key parsed from PEM.
func keyFromPublic(pub any) (*sshKey, error) {
	var parts [][]byte
	k := &sshKey{}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		k.typ, k.pub = "ssh-rsa", p
		parts = [][]byte{mpint(big.NewInt(int64(p.E))), mpint(p.N)}
	case ed25519.PublicKey:
		k.typ, k.pub = "ssh-ed25519", p
		parts = [][]byte{p}
	case *ecdsa.PublicKey:
		ek, err := p.ECDH()
		if err != nil {
			return nil, err
		}
		name := map[string]string{"P-256": "nistp256", "P-384": "nistp384", "P-521": "nistp521"}[p.Curve.Params().Name]
		if name == "" {
			return nil, errMalformedKey
		}
		k.typ, k.pub = "ecdsa-sha2-"+name, ek
		parts = [][]byte{[]byte(name), ek.Bytes()}
	default:
		return nil, errMalformedKey
	}
	k.wire = sshString(nil, []byte(k.typ))
	for _, part := range parts {
		k.wire = sshString(k.wire, part)
	}
	return k, nil
}

func sshString(dst, b []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...)
}

// mpint is RFC 4251's positive multiple-precision integer: big-endian, with a
// leading zero byte when the top bit is set.
func mpint(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) > 0 && b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

// authorizedKey is the key in OpenSSH form (IAM's SSH encoding).
func (k *sshKey) authorizedKey() string {
	return k.typ + " " + base64.StdEncoding.EncodeToString(k.wire)
}

// pemEncoded is the key as a PKIX PEM block (IAM's PEM encoding).
func (k *sshKey) pemEncoded() string {
	der, err := x509.MarshalPKIXPublicKey(k.pub)
	if err != nil {
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// fingerprint is the MD5 fingerprint IAM reports: colon-separated hex of the blob.
func (k *sshKey) fingerprint() string {
	sum := md5.Sum(k.wire)
	h := hex.EncodeToString(sum[:])
	parts := make([]string, 0, len(sum))
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}

func sshKeyOperations(ops map[string]awsproto.Operation) {
	ops["UploadSSHPublicKey"] = write(uploadSSHPublicKey)
	ops["GetSSHPublicKey"] = read(getSSHPublicKey)
	ops["ListSSHPublicKeys"] = read(listSSHPublicKeys)
	ops["UpdateSSHPublicKey"] = write(sshKeys.update)
	ops["DeleteSSHPublicKey"] = write(func(r *awsproto.Request) (any, error) { return sshKeys.delete(r, nil) })
}

// sshKeysPerUser is IAM's quota of SSH public keys per user.
const sshKeysPerUser = 5

var (
	publicKeyIDRule       = awsproto.NewRule(20, 128, `[\w]+`)
	publicKeyMaterialRule = awsproto.NewRule(1, 16384, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+`)
)

// xmlSSHKey is the SSHPublicKey shape.
type xmlSSHKey struct {
	UserName         string
	SSHPublicKeyID   string `xml:"SSHPublicKeyId"`
	Fingerprint      string
	SSHPublicKeyBody string
	Status           string
	UploadDate       time.Time
}

// xmlSSHKeyMetadata is the SSHPublicKeyMetadata shape.
type xmlSSHKeyMetadata struct {
	UserName       string
	SSHPublicKeyID string `xml:"SSHPublicKeyId"`
	Status         string
	UploadDate     time.Time
}

func uploadSSHPublicKey(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", userNameRule)
	body := v.Required(r.Params, "SSHPublicKeyBody", publicKeyMaterialRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := findUser(accountToWrite(r), name)
	if err != nil {
		return nil, err
	}
	key, err := parseSSHPublicKey(body)
	if err != nil {
		return nil, err
	}
	for _, existing := range u.SSHKeys {
		if old, err := parseSSHPublicKey(existing.Body); err == nil && bytes.Equal(old.wire, key.wire) {
			return nil, awsproto.Errorf(http.StatusBadRequest, "DuplicateSSHPublicKey",
				"The SSH public key is already associated with user %s.", u.Name)
		}
	}
	if len(u.SSHKeys) >= sshKeysPerUser {
		return nil, limitExceeded("Cannot exceed quota for SSHPublicKeysPerUser: %d", sshKeysPerUser)
	}
	k := &iamstate.SSHKey{ID: state.NewID("APKA", 16), Body: strings.TrimSpace(body), Fingerprint: key.fingerprint(), Status: "Active", Uploaded: state.Now()}
	u.SSHKeys = append(u.SSHKeys, k)
	return struct{ SSHPublicKey xmlSSHKey }{xmlSSHKey{
		UserName: u.Name, SSHPublicKeyID: k.ID, Fingerprint: k.Fingerprint, SSHPublicKeyBody: k.Body, Status: k.Status, UploadDate: k.Uploaded,
	}}, nil
}

func getSSHPublicKey(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", userNameRule)
	id := v.Required(r.Params, "SSHPublicKeyId", publicKeyIDRule)
	encoding := v.Required(r.Params, "Encoding", awsproto.Rule{})
	if r.Params.Has("Encoding") && encoding != "SSH" && encoding != "PEM" {
		v.Addf("Value '%s' at 'encoding' failed to satisfy constraint: Member must satisfy enum value set: [SSH, PEM]", encoding)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := findUser(accountToRead(r), name)
	if err != nil {
		return nil, err
	}
	_, k, err := sshKeys.find(u, id)
	if err != nil {
		return nil, err
	}
	key, err := parseSSHPublicKey(k.Body)
	if err != nil {
		return nil, unrecognizedEncoding()
	}
	body := key.authorizedKey()
	if encoding == "PEM" {
		body = key.pemEncoded()
	} else if !strings.HasPrefix(k.Body, "-----") {
		body = k.Body // as uploaded, comment included
	}
	return struct{ SSHPublicKey xmlSSHKey }{xmlSSHKey{
		UserName: u.Name, SSHPublicKeyID: k.ID, Fingerprint: k.Fingerprint, SSHPublicKeyBody: body, Status: k.Status, UploadDate: k.Uploaded,
	}}, nil
}

type listSSHKeysResult struct {
	SSHPublicKeys []xmlSSHKeyMetadata `xml:"SSHPublicKeys>member"`
	pageResult
}

func listSSHPublicKeys(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", userNameRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := targetUser(r, accountToRead(r), name)
	if err != nil {
		return nil, err
	}
	id := func(k *iamstate.SSHKey) string { return k.ID }
	page, res := paginateSlice(sortedBy(u.SSHKeys, id), id, pg)
	out := listSSHKeysResult{SSHPublicKeys: make([]xmlSSHKeyMetadata, len(page)), pageResult: res}
	for i, k := range page {
		out.SSHPublicKeys[i] = xmlSSHKeyMetadata{UserName: u.Name, SSHPublicKeyID: k.ID, Status: k.Status, UploadDate: k.Uploaded}
	}
	return out, nil
}

// sshKeys are a user's SSHKeys, for their Update and Delete operations.
var sshKeys = userCredential[iamstate.SSHKey]{
	idParam: "SSHPublicKeyId", idRule: publicKeyIDRule, nameRequired: true, missing: "The Public Key with id %s cannot be found.",
	items:  func(u *iamstate.User) *[]*iamstate.SSHKey { return &u.SSHKeys },
	id:     func(c *iamstate.SSHKey) string { return c.ID },
	status: func(c *iamstate.SSHKey) *string { return &c.Status },
}
