package differential

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

const (
	// EnableMFADevice: AuthenticationCode1 is "an authentication code emitted by
	// the device", AuthenticationCode2 "a subsequent authentication code emitted
	// by the device"; a code IAM does not recognise is InvalidAuthenticationCode,
	// HTTP 403.
	refEnableMFA = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html"
	// DeleteVirtualMFADevice: "You must deactivate a user's virtual MFA device
	// before you can delete it." Otherwise DeleteConflict, HTTP 409.
	refDeleteVirtualMFA = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteVirtualMFADevice.html"
	// DeactivateMFADevice deactivates any MFA device of a user and removes its
	// association with the user; FIDO security keys (passkeys, serial
	// arn:aws:iam::ACCOUNT:u2f/…) and hardware tokens are not virtual devices.
	refDeactivateMFA = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeactivateMFADevice.html"
)

func TestEnableMFADeviceChecksTheCodes(t *testing.T) {
	scenario(t, "EnableMFADevice with codes the device did not emit", func(r *run) {
		user := "mfa-user"
		_, err := r.IAM.CreateUser(r.ctx, &iam.CreateUserInput{UserName: &user})
		r.must("CreateUser", err)
		out, err := r.IAM.CreateVirtualMFADevice(r.ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone")})
		r.must("CreateVirtualMFADevice", err)
		serial := out.VirtualMFADevice.SerialNumber
		code1, code2, err := totpCodes(out.VirtualMFADevice.Base32StringSeed, time.Now())
		if err != nil {
			r.t.Fatalf("%s: %v", r.target, err)
		}
		wrong := wrongCode(code1, code2)
		enable := func(c1, c2 string) error {
			_, err := r.IAM.EnableMFADevice(r.ctx, &iam.EnableMFADeviceInput{UserName: &user, SerialNumber: serial, AuthenticationCode1: &c1, AuthenticationCode2: &c2})
			return err
		}
		r.gate(r.wantError("EnableMFADevice with two codes the device never showed", awsDoc{
			says: "InvalidAuthenticationCode (HTTP 403)", ref: refEnableMFA,
		}, enable(wrong, wrong), "InvalidAuthenticationCode"))
		r.wantError("EnableMFADevice with the right codes in the wrong order", awsDoc{
			says: "InvalidAuthenticationCode (HTTP 403): the second code must be the one after the first", ref: refEnableMFA,
		}, enable(code2, code1), "InvalidAuthenticationCode")
		devices := r.userDevices(user)
		r.gate(r.check("ListMFADevices after the refused attempts", awsDoc{
			says: "lists no device: a refused EnableMFADevice assigns nothing", ref: refEnableMFA,
		}, len(devices) == 0, fmt.Sprintf("lists %d devices", len(devices))))
		r.wantSuccess("EnableMFADevice with two consecutive codes of the seed", awsDoc{
			says: "succeeds", ref: refEnableMFA,
		}, enable(code1, code2))
	})
}

func TestDeleteVirtualMFADeviceRefusesAnAssignedDevice(t *testing.T) {
	scenario(t, "DeleteVirtualMFADevice on a device still assigned to a user", func(r *run) {
		user := "mfa-user"
		_, err := r.IAM.CreateUser(r.ctx, &iam.CreateUserInput{UserName: &user})
		r.must("CreateUser", err)
		serial := r.enableVirtualMFA(user, "phone")
		_, err = r.IAM.DeleteVirtualMFADevice(r.ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: &serial})
		r.gate(r.wantError("DeleteVirtualMFADevice while the device is assigned", awsDoc{
			says: "DeleteConflict (HTTP 409): deactivate the device first", ref: refDeleteVirtualMFA,
		}, err, "DeleteConflict"))
		devices := r.userDevices(user)
		r.check("ListMFADevices after the refused delete", awsDoc{
			says: "still lists the device", ref: refDeleteVirtualMFA,
		}, slices.Contains(devices, serial), fmt.Sprintf("lists %d devices", len(devices)))
		_, err = r.IAM.DeactivateMFADevice(r.ctx, &iam.DeactivateMFADeviceInput{UserName: &user, SerialNumber: &serial})
		r.must("DeactivateMFADevice", err)
		_, err = r.IAM.DeleteVirtualMFADevice(r.ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: &serial})
		r.wantSuccess("DeleteVirtualMFADevice after DeactivateMFADevice", awsDoc{says: "succeeds", ref: refDeleteVirtualMFA}, err)
	})
}

func TestDeleteVirtualMFADeviceRefusesOtherDeviceTypes(t *testing.T) {
	t.Parallel()
	requireMoto(t)
	for _, typ := range []string{"passkey", "hardware"} {
		t.Run(typ, func(t *testing.T) {
			scenario(t, "DeleteVirtualMFADevice on a "+typ+" serial", func(r *run) {
				user := "mfa-user"
				_, err := r.IAM.CreateUser(r.ctx, &iam.CreateUserInput{UserName: &user})
				r.must("CreateUser", err)
				serial := r.registerDevice(user, typ)
				_, err = r.IAM.DeleteVirtualMFADevice(r.ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: &serial})
				r.wantError("DeleteVirtualMFADevice with the "+typ+"'s serial", awsDoc{
					says: "NoSuchEntity (HTTP 404): there is no virtual MFA device with that serial; a " + typ + " is not a virtual device",
					ref:  refDeleteVirtualMFA,
				}, err, "NoSuchEntity")
				devices := r.userDevices(user)
				r.check("ListMFADevices after the refused delete", awsDoc{
					says: "still lists the " + typ, ref: refDeleteVirtualMFA,
				}, slices.Contains(devices, serial), fmt.Sprintf("lists %d devices", len(devices)))
				_, err = r.IAM.DeactivateMFADevice(r.ctx, &iam.DeactivateMFADeviceInput{UserName: &user, SerialNumber: &serial})
				r.wantSuccess("DeactivateMFADevice on the "+typ, awsDoc{says: "succeeds: DeactivateMFADevice removes any type of device", ref: refDeactivateMFA}, err)
				devices = r.userDevices(user)
				r.check("ListMFADevices after DeactivateMFADevice", awsDoc{
					says: "lists no device", ref: refDeactivateMFA,
				}, len(devices) == 0, fmt.Sprintf("lists %d devices", len(devices)))
			})
		})
	}
}

// registerDevice gives user a passkey or hardware token. AWS has no API for that
// (it happens in the console): the sandbox has an inspection endpoint; moto
// accepts EnableMFADevice with any serial, so a serial of the right shape stands in.
func (r *run) registerDevice(user, typ string) string {
	r.t.Helper()
	if r.onSandbox() {
		var out struct {
			Serial string `json:"serial"`
		}
		r.sb.Post(r.t, "iam/mfa-devices", map[string]string{"account": r.Account, "user": user, "type": typ}, &out)
		return out.Serial
	}
	serial := "GAHT12345678"
	if typ == "passkey" {
		serial = fmt.Sprintf("arn:aws:iam::%s:u2f/user/%s/passkey-ABCDEFGHIJKLMNOPQRSTUVWXYZ", r.Account, user)
	}
	_, err := r.IAM.EnableMFADevice(r.ctx, &iam.EnableMFADeviceInput{UserName: &user, SerialNumber: &serial,
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")})
	r.must("registering a "+typ, err)
	return serial
}

// userDevices lists the serials of user's MFA devices.
func (r *run) userDevices(user string) []string {
	r.t.Helper()
	out, err := r.IAM.ListMFADevices(r.ctx, &iam.ListMFADevicesInput{UserName: &user})
	r.must("ListMFADevices", err)
	var serials []string
	for _, d := range out.MFADevices {
		serials = append(serials, aws.ToString(d.SerialNumber))
	}
	return serials
}
