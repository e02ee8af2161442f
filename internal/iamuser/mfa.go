package iamuser

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
)

// mfaAPI is what the two MFA device entries call.
type mfaAPI interface {
	ListMFADevices(ctx context.Context, in *iam.ListMFADevicesInput, optFns ...func(*iam.Options)) (*iam.ListMFADevicesOutput, error)
	DeactivateMFADevice(ctx context.Context, in *iam.DeactivateMFADeviceInput, optFns ...func(*iam.Options)) (*iam.DeactivateMFADeviceOutput, error)
	DeleteVirtualMFADevice(ctx context.Context, in *iam.DeleteVirtualMFADeviceInput, optFns ...func(*iam.Options)) (*iam.DeleteVirtualMFADeviceOutput, error)
	ListVirtualMFADevices(ctx context.Context, in *iam.ListVirtualMFADevicesInput, optFns ...func(*iam.Options)) (*iam.ListVirtualMFADevicesOutput, error)
}

var _ mfaAPI = (*iam.Client)(nil)

// mfaDevices deactivates every device the user has, of every type.
var mfaDevices = &dependency{
	name: "MFA device", plural: "MFA devices", action: "deactivate",
	list: listMFADevices,
	items: func(rec *Record) []Item {
		var out []Item
		for _, d := range rec.MFADevices {
			if d.Assigned {
				out = append(out, Item{ID: d.SerialNumber, Active: true, Detail: d.Type + ", enabled " + day(d.EnableDate)})
			}
		}
		return out
	},
	remove: func(ctx context.Context, s *session, it Item) error {
		_, err := s.api.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: ptr(s.user), SerialNumber: ptr(it.ID)})
		return err
	},
}

// virtualMFADevices deletes the virtual devices, each once it is
// deactivated. Only virtual devices (arn:…:mfa/ serials) exist apart from
// their user: hardware tokens and passkeys are gone once deactivated, and
// DeleteVirtualMFADevice answers NoSuchEntity for them — the call that makes
// AWSConfigRemediation-DeleteIAMUser fail on its first run.
var virtualMFADevices = &dependency{
	name: "virtual MFA device", plural: "virtual MFA devices", action: "delete", after: "MFA device",
	items: func(rec *Record) []Item {
		var out []Item
		for _, d := range rec.MFADevices {
			if d.Type == MFAVirtual {
				detail := "deleted after its deactivation"
				if !d.Assigned {
					detail = "deactivated by an earlier run, not yet deleted"
				}
				out = append(out, Item{ID: d.SerialNumber, Active: d.Assigned, Detail: detail})
			}
		}
		return out
	},
	remove: func(ctx context.Context, s *session, it Item) error {
		_, err := s.api.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: ptr(it.ID)})
		if !it.Active && errors.Is(awsx.Classify(err), awsx.ErrConflict) {
			return nil // a leftover someone has assigned again since: no longer this user's
		}
		return err
	},
}

func listMFADevices(ctx context.Context, s *session, rec *Record) error {
	pages := iam.NewListMFADevicesPaginator(s.api, &iam.ListMFADevicesInput{UserName: ptr(s.user)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, d := range page.MFADevices {
			serial := deref(d.SerialNumber)
			rec.MFADevices = append(rec.MFADevices, MFADevice{SerialNumber: serial, Type: mfaType(serial),
				EnableDate: deref(d.EnableDate), Assigned: true})
		}
	}
	return nil
}

// mfaType tells a device's type from its serial: virtual devices are
// arn:PARTITION:iam::ACCOUNT:mfa/NAME, passkeys and security keys
// arn:…:u2f/…, and hardware TOTP tokens have the serial printed on them.
func mfaType(serial string) string {
	switch {
	case strings.HasPrefix(serial, "arn:") && strings.Contains(serial, ":mfa/"):
		return MFAVirtual
	case strings.HasPrefix(serial, "arn:") && strings.Contains(serial, ":u2f/"):
		return MFAPasskey
	}
	return MFAHardware
}

// unassignedVirtualMFA returns the serials of the account's virtual devices
// that nobody uses.
func unassignedVirtualMFA(ctx context.Context, api mfaAPI) (map[string]bool, error) {
	out := map[string]bool{}
	pages := iam.NewListVirtualMFADevicesPaginator(api, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeUnassigned})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing unassigned virtual MFA devices: %w", awsx.Classify(err))
		}
		for _, d := range page.VirtualMFADevices {
			out[deref(d.SerialNumber)] = true
		}
	}
	return out, nil
}
