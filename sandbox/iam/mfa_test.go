package iam_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"image/png"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// totpAt computes the RFC 6238 code (SHA1, 30 s, 6 digits) of a base32 seed for
// the step offset steps away from now, independently of the sandbox.
func totpAt(t *testing.T, seed string, offset int) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(seed)
	if err != nil {
		t.Fatalf("seed %q is not base32: %v", seed, err)
	}
	step := uint64(time.Now().Unix()/30 + int64(offset))
	mac := hmac.New(sha1.New, key)
	mac.Write(binary.BigEndian.AppendUint64(nil, step))
	sum := mac.Sum(nil)
	o := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[o:])&0x7fffffff)%1000000)
}

// newVirtualDevice creates a virtual MFA device and returns its serial and seed.
func (s *credSandbox) newVirtualDevice(t *testing.T, name string) (serial, seed string) {
	t.Helper()
	out, err := s.iam.CreateVirtualMFADevice(context.Background(), &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if err != nil {
		t.Fatalf("creating virtual MFA device %s: %v", name, err)
	}
	return *out.VirtualMFADevice.SerialNumber, string(out.VirtualMFADevice.Base32StringSeed)
}

// enable enables a device for user with the current pair of codes.
func (s *credSandbox) enable(t *testing.T, user, serial, seed string) {
	t.Helper()
	_, err := s.iam.EnableMFADevice(context.Background(), &iam.EnableMFADeviceInput{
		UserName: aws.String(user), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(totpAt(t, seed, -1)), AuthenticationCode2: aws.String(totpAt(t, seed, 0)),
	})
	if err != nil {
		t.Fatalf("enabling %s for %s: %v", serial, user, err)
	}
}

// registerDevice adds a hardware token or passkey through the inspection API.
func (s *credSandbox) registerDevice(t *testing.T, user, kind string) (serial, seed string) {
	t.Helper()
	var out struct{ Serial, Seed string }
	s.sb.Post(t, "iam/mfa-devices", map[string]string{"account": s.account, "user": user, "type": kind}, &out)
	return out.Serial, out.Seed
}

func TestCreateVirtualMFADevice(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	out, err := s.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{
		VirtualMFADeviceName: aws.String("phone"), Path: aws.String("/staff/"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := out.VirtualMFADevice
	if *d.SerialNumber != "arn:aws:iam::111122223333:mfa/staff/phone" || len(d.Base32StringSeed) != 64 || len(d.Tags) != 1 {
		t.Errorf("device = serial %s, seed of %d bytes, tags %v", *d.SerialNumber, len(d.Base32StringSeed), d.Tags)
	}
	totpAt(t, string(d.Base32StringSeed), 0) // fails the test unless the seed is base32
	if _, err := png.Decode(bytes.NewReader(d.QRCodePNG)); err != nil {
		t.Errorf("QRCodePNG is not a PNG: %v", err)
	}

	tests := []struct {
		name, path, device, code, msg string
	}{
		{"same name", "/staff/", "phone", "EntityAlreadyExists", "MFA device already exists."},
		{"same name other case", "/staff/", "PHONE", "EntityAlreadyExists", "MFA device already exists."},
		{"path without trailing slash", "/staff", "tablet", "ValidationError", "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters."},
		{"bad name", "/", "my phone", "ValidationError", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(tt.device), Path: aws.String(tt.path)})
			wantAPIError(t, err, tt.code, tt.msg)
		})
	}
}

func TestEnableMFADeviceCodes(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "owner")
	inUse, inUseSeed := s.newVirtualDevice(t, "in-use")
	s.enable(t, "owner", inUse, inUseSeed)
	tests := []struct {
		name     string
		user     string
		serial   string // "" for a fresh device
		c1, c2   int    // step offsets of the two codes
		wrong    bool   // send codes that belong to no step
		code     string // "" when enabling succeeds
		message  string
		seedFrom string
	}{
		{name: "previous and current", user: "u1", c1: -1, c2: 0},
		{name: "current and next", user: "u2", c1: 0, c2: 1},
		{name: "wrong codes", user: "u3", wrong: true, code: "InvalidAuthenticationCode", message: "Authentication code for device is not valid."},
		{name: "swapped", user: "u4", c1: 0, c2: -1, code: "InvalidAuthenticationCode"},
		{name: "not consecutive", user: "u5", c1: -2, c2: 0, code: "InvalidAuthenticationCode"},
		{name: "ten minutes old", user: "u6", c1: -20, c2: -19, code: "InvalidAuthenticationCode"},
		{name: "device in use", user: "u7", serial: inUse, seedFrom: inUseSeed, c1: -1, c2: 0, code: "EntityAlreadyExists", message: "MFA Device is already in use."},
		{name: "no such device", user: "u8", serial: "arn:aws:iam::111122223333:mfa/ghost", c1: -1, c2: 0, code: "NoSuchEntity", message: "MFA Device with serial number arn:aws:iam::111122223333:mfa/ghost does not exist."},
		{name: "no such user", user: "nobody", c1: -1, c2: 0, code: "NoSuchEntity", message: "The user with name nobody cannot be found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.user != "nobody" {
				s.createUser(t, tt.user)
			}
			serial, seed := tt.serial, tt.seedFrom
			if serial == "" {
				serial, seed = s.newVirtualDevice(t, "dev-"+tt.user)
			}
			c1, c2 := "000000", "000000"
			if seed != "" && !tt.wrong {
				c1, c2 = totpAt(t, seed, tt.c1), totpAt(t, seed, tt.c2)
			}
			_, err := s.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(tt.user), SerialNumber: aws.String(serial), AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantAPIError(t, err, tt.code, tt.message)
		})
	}
}

func TestVirtualMFADeviceLifecycle(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "kate")
	serial, seed := s.newVirtualDevice(t, "kate-phone")
	s.enable(t, "kate", serial, seed)

	devs, err := s.iam.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("kate")})
	if err != nil || len(devs.MFADevices) != 1 || *devs.MFADevices[0].SerialNumber != serial || devs.MFADevices[0].EnableDate == nil {
		t.Fatalf("ListMFADevices = %+v, %v", devs, err)
	}
	assigned, err := s.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})
	if err != nil || len(assigned.VirtualMFADevices) != 1 || assigned.VirtualMFADevices[0].User == nil || *assigned.VirtualMFADevices[0].User.UserName != "kate" {
		t.Fatalf("assigned devices = %+v, %v", assigned, err)
	}
	got, err := s.iam.GetMFADevice(ctx, &iam.GetMFADeviceInput{UserName: aws.String("kate"), SerialNumber: aws.String(serial)})
	if err != nil || *got.UserName != "kate" || got.EnableDate == nil {
		t.Fatalf("GetMFADevice = %+v, %v", got, err)
	}
	_, err = s.iam.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("kate"), SerialNumber: aws.String(serial), AuthenticationCode1: aws.String(totpAt(t, seed, 5)), AuthenticationCode2: aws.String(totpAt(t, seed, 6))})
	if err != nil {
		t.Errorf("resync with a drifted clock: %v", err)
	}
	_, err = s.iam.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("kate"), SerialNumber: aws.String(serial), AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")})
	wantAPIError(t, err, "InvalidAuthenticationCode", "")

	_, err = s.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantAPIError(t, err, "DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.")
	if _, err := s.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("kate"), SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	unassigned, err := s.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})
	if err != nil || len(unassigned.VirtualMFADevices) != 1 || unassigned.VirtualMFADevices[0].User != nil {
		t.Fatalf("unassigned devices after deactivation = %+v, %v", unassigned, err)
	}
	if _, err := s.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("kate"), SerialNumber: aws.String(serial)})
	wantAPIError(t, err, "NoSuchEntity", "MFA Device with serial number "+serial+" does not exist.")
}

// TestNonVirtualMFADevices reproduces seed 002: the runbook passes every serial
// from ListMFADevices to DeleteVirtualMFADevice and fails on passkeys.
func TestNonVirtualMFADevices(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "iam-passkey")
	passkey, _ := s.registerDevice(t, "iam-passkey", "passkey")
	token, tokenSeed := s.registerDevice(t, "iam-passkey", "hardware")

	devs, err := s.iam.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("iam-passkey")})
	if err != nil || len(devs.MFADevices) != 2 {
		t.Fatalf("ListMFADevices = %+v, %v", devs, err)
	}
	virtual, err := s.iam.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})
	if err != nil || len(virtual.VirtualMFADevices) != 0 {
		t.Errorf("ListVirtualMFADevices = %+v, %v; want none", virtual, err)
	}
	for _, serial := range []string{passkey, token} {
		_, err := s.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
		wantAPIError(t, err, "NoSuchEntity", "MFA Device with serial number "+serial+" does not exist.")
	}
	_, err = s.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("iam-passkey"), SerialNumber: aws.String(token),
		AuthenticationCode1: aws.String(totpAt(t, tokenSeed, -1)), AuthenticationCode2: aws.String(totpAt(t, tokenSeed, 0))})
	wantAPIError(t, err, "EntityAlreadyExists", "MFA Device is already in use.")
	_, err = s.iam.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("iam-passkey"), SerialNumber: aws.String(token),
		AuthenticationCode1: aws.String(totpAt(t, tokenSeed, -1)), AuthenticationCode2: aws.String(totpAt(t, tokenSeed, 0))})
	if err != nil {
		t.Errorf("resyncing the hardware token: %v", err)
	}

	for _, serial := range []string{passkey, token} {
		if _, err := s.iam.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("iam-passkey"), SerialNumber: aws.String(serial)}); err != nil {
			t.Fatalf("deactivating %s: %v", serial, err)
		}
	}
	devs, err = s.iam.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("iam-passkey")})
	if err != nil || len(devs.MFADevices) != 0 {
		t.Fatalf("ListMFADevices after deactivation = %+v, %v", devs, err)
	}
	if _, err := s.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("iam-passkey")}); err != nil {
		t.Errorf("DeleteUser after deactivating every device: %v", err)
	}
}

func TestMFADeviceTagsAndPages(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	var serials []string
	for i := range 5 {
		serial, _ := s.newVirtualDevice(t, fmt.Sprintf("dev%d", i))
		serials = append(serials, serial)
	}
	tags := []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("c"), Value: aws.String("3")}}
	if _, err := s.iam.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: aws.String(serials[0]), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.iam.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: aws.String(serials[0]), TagKeys: []string{"B"}}); err != nil {
		t.Fatal(err)
	}
	first, err := s.iam.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(serials[0]), MaxItems: aws.Int32(1)})
	if err != nil || len(first.Tags) != 1 || *first.Tags[0].Key != "a" || !first.IsTruncated {
		t.Fatalf("first tag page = %+v, %v", first, err)
	}
	rest, err := s.iam.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(serials[0]), Marker: first.Marker})
	if err != nil || len(rest.Tags) != 1 || *rest.Tags[0].Key != "c" || rest.IsTruncated {
		t.Fatalf("second tag page = %+v, %v", rest, err)
	}
	_, err = s.iam.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: aws.String("arn:aws:iam::111122223333:mfa/none"), Tags: tags})
	wantAPIError(t, err, "NoSuchEntity", "")

	var listed []string
	p := iam.NewListVirtualMFADevicesPaginator(s.iam, &iam.ListVirtualMFADevicesInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.VirtualMFADevices {
			listed = append(listed, *d.SerialNumber)
		}
	}
	if fmt.Sprint(listed) != fmt.Sprint(serials) {
		t.Errorf("paged devices = %v, want %v", listed, serials)
	}
}

// TestEnableRegisteredHardwareToken enables a hardware token that is registered
// on a user but not yet enabled (a state the inspection API or a fixture may
// create): its TOTP codes are checked like a virtual device's.
func TestEnableRegisteredHardwareToken(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "lena")
	s.createUser(t, "mike")
	seed := base32.StdEncoding.EncodeToString([]byte("0123456789abcdefghij"))
	w := s.sb.Server.World()
	w.Lock()
	u, _ := iamstate.Of(w.Accounts[s.account]).Users.Get("lena")
	u.MFADevices = append(u.MFADevices, &iamstate.MFADevice{Serial: "GAHT00000001", Type: iamstate.MFAHardware, Seed: seed, Created: state.Now()})
	w.Unlock()

	if devs, err := s.iam.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("lena")}); err != nil || len(devs.MFADevices) != 0 {
		t.Fatalf("a token not yet enabled is listed: %+v, %v", devs, err)
	}
	enable := func(user, c1, c2 string) error {
		_, err := s.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String("GAHT00000001"),
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		return err
	}
	wantAPIError(t, enable("mike", totpAt(t, seed, -1), totpAt(t, seed, 0)), "EntityAlreadyExists", "MFA Device is already in use.")
	wantAPIError(t, enable("lena", "000000", "999999"), "InvalidAuthenticationCode", "")
	if err := enable("lena", totpAt(t, seed, -1), totpAt(t, seed, 0)); err != nil {
		t.Fatal(err)
	}
	if devs, err := s.iam.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("lena")}); err != nil || len(devs.MFADevices) != 1 {
		t.Fatalf("ListMFADevices after enabling = %+v, %v", devs, err)
	}
	wantAPIError(t, enable("lena", totpAt(t, seed, -1), totpAt(t, seed, 0)), "EntityAlreadyExists", "MFA Device is already in use.")
}
