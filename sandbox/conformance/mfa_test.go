package conformance

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cliTOTP is the RFC 6238 code (SHA1, 30 s, 6 digits) of a base32 seed, offset
// steps from now, computed here rather than by the sandbox.
func cliTOTP(t *testing.T, seed string, offset int) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(seed, "="))
	if err != nil {
		t.Fatalf("seed %q is not base32: %v", seed, err)
	}
	step := uint64(time.Now().Unix()/30 + int64(offset))
	msg := make([]byte, 8)
	for i := range msg {
		msg[7-i] = byte(step >> (8 * i))
	}
	mac := hmac.New(sha1.New, key)
	mac.Write(msg)
	sum := mac.Sum(nil)
	o := sum[len(sum)-1] & 0x0f
	v := (uint32(sum[o])&0x7f)<<24 | uint32(sum[o+1])<<16 | uint32(sum[o+2])<<8 | uint32(sum[o+3])
	return fmt.Sprintf("%06d", v%1000000)
}

// cliVirtualDevice creates a virtual MFA device and returns its serial and the
// base32 seed the CLI wrote to --outfile.
func cliVirtualDevice(t *testing.T, c *CLI, name string, extra ...string) (serial, seed string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".seed")
	out := c.Run(append([]string{"iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", name,
		"--outfile", path, "--bootstrap-method", "Base32StringSeed"}, extra...)...)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return str(out, "VirtualMFADevice", "SerialNumber"), string(b)
}

// cliEnable enables a device with the codes of the previous and current steps.
func cliEnable(c *CLI, t *testing.T, user, serial, seed string) {
	t.Helper()
	c.Run("iam", "enable-mfa-device", "--user-name", user, "--serial-number", serial,
		"--authentication-code1", cliTOTP(t, seed, -1), "--authentication-code2", cliTOTP(t, seed, 0))
}

// cliRegisterDevice adds a hardware token or passkey through the inspection API.
func cliRegisterDevice(c *CLI, user, kind string) (serial, seed string) {
	var out struct{ Serial, Seed string }
	c.PostInspect("iam/mfa-devices", map[string]string{"account": c.Account, "user": user, "type": kind}, &out)
	return out.Serial, out.Seed
}

func TestMFAVirtualDeviceLifecycle(t *testing.T) {
	cli := newCLI(t)
	cli.Run("iam", "create-user", "--user-name", "kate")
	cli.Run("iam", "create-user", "--user-name", "liam")
	serial, seed := cliVirtualDevice(t, cli, "phone", "--path", "/team/", "--tags", "Key=owner,Value=kate")
	if serial != "arn:aws:iam::"+cli.Account+":mfa/team/phone" || len(seed) != 64 {
		t.Fatalf("serial %s, seed %q", serial, seed)
	}
	qr := filepath.Join(t.TempDir(), "qr.png")
	cli.Run("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "spare", "--outfile", qr, "--bootstrap-method", "QRCodePNG")
	if b, err := os.ReadFile(qr); err != nil {
		t.Error(err)
	} else if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("QRCodePNG is not a PNG: %v", err)
	}
	if msg := cli.Fail("EntityAlreadyExists", "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "PHONE", "--path", "/team/",
		"--outfile", filepath.Join(t.TempDir(), "x"), "--bootstrap-method", "Base32StringSeed"); msg != "MFA device already exists." {
		t.Errorf("duplicate message = %q", msg)
	}

	enable := []string{"iam", "enable-mfa-device", "--user-name", "kate", "--serial-number", serial}
	if msg := cli.Fail("InvalidAuthenticationCode", append(enable, "--authentication-code1", "123456", "--authentication-code2", "654321")...); msg != "Authentication code for device is not valid." {
		t.Errorf("bad code message = %q", msg)
	}
	cli.Fail("InvalidAuthenticationCode", append(enable, "--authentication-code1", cliTOTP(t, seed, 0), "--authentication-code2", cliTOTP(t, seed, -1))...)
	cli.Fail("ValidationError", append(enable, "--authentication-code1", "12345a", "--authentication-code2", "abcdef")...)
	cliEnable(cli, t, "kate", serial, seed)
	if msg := cli.Fail("EntityAlreadyExists", "iam", "enable-mfa-device", "--user-name", "liam", "--serial-number", serial,
		"--authentication-code1", cliTOTP(t, seed, -1), "--authentication-code2", cliTOTP(t, seed, 0)); msg != "MFA Device is already in use." {
		t.Errorf("in-use message = %q", msg)
	}

	devs := cli.Run("iam", "list-mfa-devices", "--user-name", "kate")
	if length(devs, "MFADevices") != 1 || str(devs, "MFADevices", 0, "SerialNumber") != serial || str(devs, "MFADevices", 0, "EnableDate") == "" {
		t.Errorf("list-mfa-devices = %v", devs)
	}
	assigned := cli.Run("iam", "list-virtual-mfa-devices", "--assignment-status", "Assigned")
	if length(assigned, "VirtualMFADevices") != 1 || str(assigned, "VirtualMFADevices", 0, "User", "UserName") != "kate" {
		t.Errorf("assigned devices = %v", assigned)
	}
	unassigned := cli.Run("iam", "list-virtual-mfa-devices", "--assignment-status", "Unassigned")
	if length(unassigned, "VirtualMFADevices") != 1 || !strings.HasSuffix(str(unassigned, "VirtualMFADevices", 0, "SerialNumber"), ":mfa/spare") {
		t.Errorf("unassigned devices = %v", unassigned)
	}
	got := cli.Run("iam", "get-mfa-device", "--user-name", "kate", "--serial-number", serial)
	if str(got, "UserName") != "kate" || str(got, "SerialNumber") != serial || str(got, "EnableDate") == "" {
		t.Errorf("get-mfa-device = %v", got)
	}
	cli.Run("iam", "resync-mfa-device", "--user-name", "kate", "--serial-number", serial,
		"--authentication-code1", cliTOTP(t, seed, 3), "--authentication-code2", cliTOTP(t, seed, 4))
	cli.Fail("InvalidAuthenticationCode", "iam", "resync-mfa-device", "--user-name", "kate", "--serial-number", serial,
		"--authentication-code1", "000001", "--authentication-code2", "000002")

	if msg := cli.Fail("DeleteConflict", "iam", "delete-virtual-mfa-device", "--serial-number", serial); msg != "MFA VirtualDevice in use. Must deactivate first." {
		t.Errorf("delete-while-assigned message = %q", msg)
	}
	cli.Run("iam", "deactivate-mfa-device", "--user-name", "kate", "--serial-number", serial)
	if devs := cli.Run("iam", "list-mfa-devices", "--user-name", "kate"); length(devs, "MFADevices") != 0 {
		t.Errorf("devices after deactivation = %v", devs)
	}
	cli.Run("iam", "delete-virtual-mfa-device", "--serial-number", serial)
	if msg := cli.Fail("NoSuchEntity", "iam", "delete-virtual-mfa-device", "--serial-number", serial); msg != "MFA Device with serial number "+serial+" does not exist." {
		t.Errorf("NoSuchEntity message = %q", msg)
	}
}

func TestMFADeviceTags(t *testing.T) {
	cli := newCLI(t)
	serial, _ := cliVirtualDevice(t, cli, "tagged", "--tags", "Key=a,Value=1")
	cli.Run("iam", "tag-mfa-device", "--serial-number", serial, "--tags", "Key=b,Value=2", "Key=c,Value=3", "Key=A,Value=one")
	cli.Run("iam", "untag-mfa-device", "--serial-number", serial, "--tag-keys", "B")
	first := cli.Run("iam", "list-mfa-device-tags", "--serial-number", serial, "--max-items", "1", "--no-paginate")
	if length(first, "Tags") != 1 || str(first, "Tags", 0, "Value") != "one" || first["IsTruncated"] != true {
		t.Fatalf("first tag page = %v", first)
	}
	rest := cli.Run("iam", "list-mfa-device-tags", "--serial-number", serial, "--marker", str(first, "Marker"))
	if length(rest, "Tags") != 1 || str(rest, "Tags", 0, "Key") != "c" {
		t.Errorf("second tag page = %v", rest)
	}
	cli.Fail("NoSuchEntity", "iam", "tag-mfa-device", "--serial-number", "arn:aws:iam::"+cli.Account+":mfa/none", "--tags", "Key=a,Value=1")
	cli.Fail("NoSuchEntity", "iam", "list-mfa-device-tags", "--serial-number", "arn:aws:iam::"+cli.Account+":mfa/none")
}

// TestMFAPasskeySeed002 runs AWSConfigRemediation-DeleteIAMUser's MFA step
// against a user with a passkey and a hardware token: every serial from
// list-mfa-devices is deactivated and then passed to delete-virtual-mfa-device,
// which fails exactly as in seed 002. A second run deletes the user.
func TestMFAPasskeySeed002(t *testing.T) {
	cli := newCLI(t)
	cli.Run("iam", "create-user", "--user-name", "iam-passkey")
	passkey, _ := cliRegisterDevice(cli, "iam-passkey", "passkey")
	token, tokenSeed := cliRegisterDevice(cli, "iam-passkey", "hardware")
	if !strings.HasPrefix(passkey, "arn:aws:iam::"+cli.Account+":u2f/user/iam-passkey/") {
		t.Fatalf("passkey serial = %s", passkey)
	}
	page := cli.Run("iam", "list-mfa-devices", "--user-name", "iam-passkey", "--max-items", "1", "--no-paginate")
	if length(page, "MFADevices") != 1 || page["IsTruncated"] != true {
		t.Fatalf("first page of devices = %v", page)
	}
	if all := cli.Run("iam", "list-mfa-devices", "--user-name", "iam-passkey", "--page-size", "1"); length(all, "MFADevices") != 2 {
		t.Fatalf("list-mfa-devices = %v", all)
	}
	if virtual := cli.Run("iam", "list-virtual-mfa-devices"); length(virtual, "VirtualMFADevices") != 0 {
		t.Errorf("list-virtual-mfa-devices = %v", virtual)
	}
	cli.Fail("EntityAlreadyExists", "iam", "enable-mfa-device", "--user-name", "iam-passkey", "--serial-number", token,
		"--authentication-code1", cliTOTP(t, tokenSeed, -1), "--authentication-code2", cliTOTP(t, tokenSeed, 0))
	cli.Run("iam", "resync-mfa-device", "--user-name", "iam-passkey", "--serial-number", token,
		"--authentication-code1", cliTOTP(t, tokenSeed, -1), "--authentication-code2", cliTOTP(t, tokenSeed, 0))

	cli.Fail("DeleteConflict", "iam", "delete-user", "--user-name", "iam-passkey")
	for _, serial := range []string{passkey, token} {
		cli.Run("iam", "deactivate-mfa-device", "--user-name", "iam-passkey", "--serial-number", serial)
		msg := cli.Fail("NoSuchEntity", "iam", "delete-virtual-mfa-device", "--serial-number", serial)
		if msg != "MFA Device with serial number "+serial+" does not exist." {
			t.Errorf("delete-virtual-mfa-device %s: message %q", serial, msg)
		}
	}
	cli.Run("iam", "delete-user", "--user-name", "iam-passkey")
}

func TestMFAVirtualDevicePagination(t *testing.T) {
	cli := newCLI(t)
	for _, name := range []string{"m1", "m2", "m3"} {
		cliVirtualDevice(t, cli, name)
	}
	first := cli.Run("iam", "list-virtual-mfa-devices", "--max-items", "2", "--no-paginate")
	if length(first, "VirtualMFADevices") != 2 || first["IsTruncated"] != true || str(first, "Marker") == "" {
		t.Fatalf("first page = %v", first)
	}
	rest := cli.Run("iam", "list-virtual-mfa-devices", "--max-items", "2", "--no-paginate", "--marker", str(first, "Marker"))
	if length(rest, "VirtualMFADevices") != 1 || rest["IsTruncated"] == true || !strings.HasSuffix(str(rest, "VirtualMFADevices", 0, "SerialNumber"), ":mfa/m3") {
		t.Errorf("second page = %v", rest)
	}
	if all := cli.Run("iam", "list-virtual-mfa-devices", "--assignment-status", "Any", "--page-size", "1"); length(all, "VirtualMFADevices") != 3 {
		t.Errorf("auto-paginated list = %v", all)
	}
	cli.Fail("ValidationError", "iam", "list-virtual-mfa-devices", "--assignment-status", "Sometimes")
}
