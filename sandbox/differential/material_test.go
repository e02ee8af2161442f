package differential

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"
)

// keyMaterial is an RSA-2048 key as IAM accepts it: an OpenSSH public key for
// UploadSSHPublicKey and a self-signed certificate for UploadSigningCertificate.
type keyMaterial struct {
	sshPublicKey string
	certPEM      string
}

var (
	materialOnce sync.Once
	material     keyMaterial
	materialErr  error
)

// keys generates the key material once per run.
func keys() (keyMaterial, error) {
	materialOnce.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			materialErr = err
			return
		}
		material.sshPublicKey = sshRSAPublicKey(&key.PublicKey, "differential@gatehouse")
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: "gatehouse differential suite"},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			materialErr = err
			return
		}
		material.certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	})
	return material, materialErr
}

// sshRSAPublicKey is the authorized_keys line of an RSA key (RFC 4253 wire format).
func sshRSAPublicKey(pub *rsa.PublicKey, comment string) string {
	str := func(b []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(b)))
		return append(out, b...)
	}
	mpint := func(n *big.Int) []byte {
		b := n.Bytes()
		if len(b) > 0 && b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return str(b)
	}
	var wire []byte
	wire = append(wire, str([]byte("ssh-rsa"))...)
	wire = append(wire, mpint(big.NewInt(int64(pub.E)))...)
	wire = append(wire, mpint(pub.N)...)
	return "ssh-rsa " + base64.StdEncoding.EncodeToString(wire) + " " + comment
}

// totpCodes returns two consecutive codes of a virtual MFA device's seed, as a
// person reads them off the app: the previous 30-second step's and the current one's.
func totpCodes(seed []byte, now time.Time) (string, string, error) {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(strings.ToUpper(string(seed)), "="))
	if err != nil {
		return "", "", fmt.Errorf("decoding Base32StringSeed: %w", err)
	}
	step := uint64(now.Unix() / 30)
	return hotp(key, step-1), hotp(key, step), nil
}

// hotp is RFC 4226's six-digit HOTP value.
func hotp(key []byte, counter uint64) string {
	mac := hmac.New(sha1.New, key)
	mac.Write(binary.BigEndian.AppendUint64(nil, counter))
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// wrongCode is a six-digit code that is neither of the valid ones.
func wrongCode(valid ...string) string {
	for n := 0; ; n++ {
		c := fmt.Sprintf("%06d", (123456+n*111111)%1_000_000)
		clash := false
		for _, v := range valid {
			clash = clash || v == c
		}
		if !clash {
			return c
		}
	}
}
