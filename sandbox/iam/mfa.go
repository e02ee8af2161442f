package iam

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func mfaOperations(ops map[string]awsproto.Operation) {
	ops["CreateVirtualMFADevice"] = write(createVirtualMFADevice)
	ops["EnableMFADevice"] = write(enableMFADevice)
	ops["DeactivateMFADevice"] = write(deactivateMFADevice)
	ops["DeleteVirtualMFADevice"] = write(deleteVirtualMFADevice)
	ops["ListMFADevices"] = read(listMFADevices)
	ops["ListVirtualMFADevices"] = read(listVirtualMFADevices)
	ops["GetMFADevice"] = read(getMFADevice)
	ops["ResyncMFADevice"] = write(resyncMFADevice)
	ops["TagMFADevice"] = write(tagMFADevice)
	ops["UntagMFADevice"] = write(untagMFADevice)
	ops["ListMFADeviceTags"] = read(listMFADeviceTags)
}

// mfaDevicesPerUser is IAM's quota of MFA devices (of any type) per user.
const mfaDevicesPerUser = 8

var (
	serialRule    = awsproto.NewRule(9, 256, `[\w+=/:,.@-]+`)
	authCodeRule  = awsproto.NewRule(6, 6, `[\d]+`)
	mfaNameRule   = awsproto.NewRule(1, 0, `[\w+=,.@-]+`)
	mfaPathLength = awsproto.NewRule(1, 512, "")
)

func noSuchDevice(serial string) error {
	return noSuchEntity("MFA Device with serial number %s does not exist.", serial)
}

func invalidAuthenticationCode() error {
	return awsproto.Errorf(http.StatusForbidden, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
}

// findVirtual returns the account's virtual device with serial, or nil. Account
// VirtualMFA is the record of virtual devices; a user's MFADevices holds copies
// of the enabled ones (they are separate objects once a snapshot is reloaded).
func findVirtual(a iamAccount, serial string) *iamstate.MFADevice {
	if d, ok := a.VirtualMFA[serial]; ok {
		return d
	}
	for s, d := range a.VirtualMFA {
		if strings.EqualFold(s, serial) {
			return d
		}
	}
	return nil
}

// findUserDevice returns the user's device (any type) with serial.
func findUserDevice(u *iamstate.User, serial string) (int, *iamstate.MFADevice, error) {
	for i, d := range u.MFADevices {
		if strings.EqualFold(d.Serial, serial) {
			return i, d, nil
		}
	}
	return -1, nil, noSuchDevice(serial)
}

// xmlVirtualMFA is the VirtualMFADevice shape; blobs are base64 in XML.
type xmlVirtualMFA struct {
	SerialNumber     string
	Base32StringSeed string           `xml:",omitempty"`
	QRCodePNG        string           `xml:",omitempty"`
	User             *xmlUser         `xml:",omitempty"`
	EnableDate       *time.Time       `xml:",omitempty"`
	Tags             *members[xmlTag] `xml:",omitempty"`
}

// xmlMFADevice is the MFADevice shape of ListMFADevices.
type xmlMFADevice struct {
	UserName     string
	SerialNumber string
	EnableDate   time.Time
}

func createVirtualMFADevice(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	path := v.Optional(r.Params, "Path", mfaPathLength)
	name := v.Required(r.Params, "VirtualMFADeviceName", mfaNameRule)
	tags := readTags(r.Params, &v, "Tags")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	if !pathRule.Re.MatchString(path) {
		return nil, awsproto.ValidationError("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	a := accountToWrite(r)
	serial := fmt.Sprintf("arn:aws:iam::%s:mfa%s%s", a.ID, path, name)
	if findVirtual(a, serial) != nil {
		return nil, entityAlreadyExists("MFA device already exists.")
	}
	d := &iamstate.MFADevice{Serial: serial, Type: iamstate.MFAVirtual, Path: path, Name: name, Seed: newSeed(), Created: state.Now(), Tags: tags}
	a.VirtualMFA[serial] = d
	return struct{ VirtualMFADevice xmlVirtualMFA }{xmlVirtualMFA{
		SerialNumber:     serial,
		Base32StringSeed: base64.StdEncoding.EncodeToString([]byte(d.Seed)),
		QRCodePNG:        base64.StdEncoding.EncodeToString(provisioningPNG(d.Seed)),
		Tags:             optionalList(tagsXML(tags)),
	}}, nil
}

// readCodes reads the two authentication codes of Enable and Resync.
func readCodes(p awsproto.Params, v *awsproto.Validator) (string, string) {
	return v.Required(p, "AuthenticationCode1", authCodeRule), v.Required(p, "AuthenticationCode2", authCodeRule)
}

func enableMFADevice(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", existingUserNameRule)
	serial := v.Required(r.Params, "SerialNumber", serialRule)
	code1, code2 := readCodes(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	u, err := findUser(a, name)
	if err != nil {
		return nil, err
	}
	d, err := deviceToEnable(a, u, serial)
	if err != nil {
		return nil, err
	}
	if len(enabledDevices(u)) >= mfaDevicesPerUser {
		return nil, limitExceeded("Cannot exceed quota for MFADevicesPerUser: %d", mfaDevicesPerUser)
	}
	if !consecutiveCodes(d.Seed, code1, code2, time.Now(), enableSkew) {
		return nil, invalidAuthenticationCode()
	}
	d.User, d.EnableDate = u.Name, state.Now()
	if d.Type == iamstate.MFAVirtual {
		u.MFADevices = append(u.MFADevices, d)
	}
	return nil, nil
}

// deviceToEnable finds an unassigned virtual device, or a hardware token that was
// registered on this user (through /_sandbox/iam/mfa-devices) but not enabled.
// A device enabled for anyone is in use; passkeys are only ever added enabled.
func deviceToEnable(a iamAccount, u *iamstate.User, serial string) (*iamstate.MFADevice, error) {
	if d := findVirtual(a, serial); d != nil {
		if d.User != "" {
			return nil, entityAlreadyExists("MFA Device is already in use.")
		}
		return d, nil
	}
	for _, owner := range a.Users.All() {
		_, d, err := findUserDevice(owner, serial)
		if err != nil {
			continue
		}
		if owner != u || !d.EnableDate.IsZero() || d.Seed == "" {
			return nil, entityAlreadyExists("MFA Device is already in use.")
		}
		return d, nil
	}
	return nil, noSuchDevice(serial)
}

// enabledDevices are the user's MFA devices of every type that are in use.
func enabledDevices(u *iamstate.User) []*iamstate.MFADevice {
	var out []*iamstate.MFADevice
	for _, d := range u.MFADevices {
		if !d.EnableDate.IsZero() {
			out = append(out, d)
		}
	}
	return out
}

// deactivateMFADevice detaches a device from its user: a virtual device goes back
// to the account's unassigned devices; hardware tokens and passkeys are removed.
func deactivateMFADevice(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", existingUserNameRule)
	serial := v.Required(r.Params, "SerialNumber", serialRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	u, err := targetUser(r, a, name)
	if err != nil {
		return nil, err
	}
	i, d, err := findUserDevice(u, serial)
	if err != nil {
		return nil, err
	}
	u.MFADevices = slices.Delete(u.MFADevices, i, i+1)
	if vd := findVirtual(a, d.Serial); vd != nil {
		vd.User, vd.EnableDate = "", time.Time{}
	}
	return nil, nil
}

// deleteVirtualMFADevice deletes only virtual devices, and only unassigned ones.
// Hardware and passkey serials are not virtual devices, so IAM answers
// NoSuchEntity for them: the failure AWSConfigRemediation-DeleteIAMUser hits.
func deleteVirtualMFADevice(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	serial := v.Required(r.Params, "SerialNumber", serialRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	d := findVirtual(a, serial)
	if d == nil {
		return nil, noSuchDevice(serial)
	}
	if d.User != "" {
		return nil, deleteConflict("MFA VirtualDevice in use. Must deactivate first.")
	}
	delete(a.VirtualMFA, d.Serial)
	return nil, nil
}

type listMFADevicesResult struct {
	MFADevices []xmlMFADevice `xml:"MFADevices>member"`
	pageResult
}

func listMFADevices(r *awsproto.Request) (any, error) {
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
	serial := func(d *iamstate.MFADevice) string { return d.Serial }
	page, res := paginateSlice(sortedBy(enabledDevices(u), serial), serial, pg)
	out := listMFADevicesResult{MFADevices: make([]xmlMFADevice, len(page)), pageResult: res}
	for i, d := range page {
		out.MFADevices[i] = xmlMFADevice{UserName: u.Name, SerialNumber: d.Serial, EnableDate: d.EnableDate}
	}
	return out, nil
}

type listVirtualMFAResult struct {
	VirtualMFADevices []xmlVirtualMFA `xml:"VirtualMFADevices>member"`
	pageResult
}

func listVirtualMFADevices(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	status := v.Optional(r.Params, "AssignmentStatus", awsproto.Rule{})
	if r.Params.Has("AssignmentStatus") && !slices.Contains([]string{"Assigned", "Unassigned", "Any"}, status) {
		v.Addf("Value '%s' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Assigned, Unassigned, Any]", status)
	}
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToRead(r)
	var devices []*iamstate.MFADevice
	for _, d := range a.VirtualMFA {
		if status == "" || status == "Any" || (status == "Assigned") == (d.User != "") {
			devices = append(devices, d)
		}
	}
	serial := func(d *iamstate.MFADevice) string { return d.Serial }
	page, res := paginateSlice(sortedBy(devices, serial), serial, pg)
	out := listVirtualMFAResult{VirtualMFADevices: make([]xmlVirtualMFA, len(page)), pageResult: res}
	for i, d := range page {
		out.VirtualMFADevices[i] = xmlVirtualMFA{SerialNumber: d.Serial}
		if u, ok := a.Users.Get(d.User); ok && d.User != "" {
			x := userXML(a.ID, u, false)
			out.VirtualMFADevices[i].User, out.VirtualMFADevices[i].EnableDate = &x, optionalTime(d.EnableDate)
		}
	}
	return out, nil
}

func getMFADevice(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	serial := v.Required(r.Params, "SerialNumber", serialRule)
	name := v.Optional(r.Params, "UserName", userNameRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := targetUser(r, accountToRead(r), name)
	if err != nil {
		return nil, err
	}
	_, d, err := findUserDevice(u, serial)
	if err != nil || d.EnableDate.IsZero() {
		return nil, noSuchDevice(serial)
	}
	return struct {
		UserName     string
		SerialNumber string
		EnableDate   time.Time
	}{u.Name, d.Serial, d.EnableDate}, nil
}

// resyncMFADevice checks two consecutive codes over a wider window. The sandbox
// keeps no per-device drift, so a successful resync changes nothing.
func resyncMFADevice(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", existingUserNameRule)
	serial := v.Required(r.Params, "SerialNumber", serialRule)
	code1, code2 := readCodes(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := findUser(accountToWrite(r), name)
	if err != nil {
		return nil, err
	}
	_, d, err := findUserDevice(u, serial)
	if err != nil {
		return nil, err
	}
	if !consecutiveCodes(d.Seed, code1, code2, time.Now(), resyncSkew) {
		return nil, invalidAuthenticationCode()
	}
	return nil, nil
}

// taggedDevice reads SerialNumber and finds the virtual device; only virtual MFA
// devices carry tags.
func taggedDevice(r *awsproto.Request, v *awsproto.Validator, a iamAccount) (*iamstate.MFADevice, error) {
	serial := v.Required(r.Params, "SerialNumber", serialRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if d := findVirtual(a, serial); d != nil {
		return d, nil
	}
	return nil, noSuchDevice(serial)
}

func tagMFADevice(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	tags := readTags(r.Params, &v, "Tags")
	if len(tags) == 0 && v.Err() == nil {
		v.Addf("Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	d, err := taggedDevice(r, &v, accountToWrite(r))
	if err != nil {
		return nil, err
	}
	merged := mergeTags(slices.Clone(d.Tags), tags)
	if len(merged) > 50 {
		return nil, limitExceeded("The number of tags has reached the maximum limit.")
	}
	d.Tags = merged
	return nil, nil
}

func untagMFADevice(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	keys := r.Params.List("TagKeys")
	if len(keys) == 0 {
		v.Addf("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	} else if len(keys) > 50 {
		v.Addf("Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	for i, k := range keys {
		v.Check(fmt.Sprintf("TagKeys.%d.member", i+1), k, tagKeyRule)
	}
	d, err := taggedDevice(r, &v, accountToWrite(r))
	if err != nil {
		return nil, err
	}
	d.Tags = slices.DeleteFunc(d.Tags, func(t state.Tag) bool {
		return slices.ContainsFunc(keys, func(k string) bool { return strings.EqualFold(k, t.Key) })
	})
	return nil, nil
}

type listMFADeviceTagsResult struct {
	Tags []xmlTag `xml:"Tags>member"`
	pageResult
}

func listMFADeviceTags(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	pg := readPage(r.Params, &v)
	d, err := taggedDevice(r, &v, accountToRead(r))
	if err != nil {
		return nil, err
	}
	key := func(t state.Tag) string { return strings.ToLower(t.Key) }
	page, res := paginateSlice(sortedBy(d.Tags, key), key, pg)
	return listMFADeviceTagsResult{Tags: tagsXML(page), pageResult: res}, nil
}
