package cli

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/report"
)

// PolicyOptions are `gatehouse policy`'s options.
type PolicyOptions struct {
	IO       *IO
	Features []string
	Part     string
	Role     string // the member accounts' role, when not the default
}

// NewCmdPolicy builds `gatehouse policy`.
func NewCmdPolicy(streams *IO, runF func(context.Context, *PolicyOptions) error) *cobra.Command {
	opts := &PolicyOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "policy [--for FEATURE,...] [--part caller|member] [--role NAME|ARN-TEMPLATE]",
		Short: "Print the IAM policy the features you use need",
		Long: `Print, as IAM policy JSON, the least-privilege permissions gatehouse's features
need: what the identity gatehouse runs as needs (--part caller: Organizations,
sts:AssumeRole into the member accounts' role, SES, SQS) and what the role it
enters in each account needs (--part member: IAM). Without --part, both in one
document — for a single account, where gatehouse's own identity does everything.
--role names the member accounts' role when it is not the default
OrganizationAccountAccessRole, as onboard's --role does.

Features: ` + strings.Join(policy.Features, ", ") + ` (default: onboard and offboard).`,
		Example: `  gatehouse policy --for onboard,offboard
  gatehouse policy --for watch --part member > member-role-policy.json
  aws iam create-policy --policy-name gatehouse --policy-document "$(gatehouse policy --for onboard)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runPolicy(opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.Features, "for", []string{policy.Onboard, policy.Offboard}, "the `FEATURE`s in use: "+strings.Join(policy.Features, ", "))
	cmd.Flags().StringVar(&opts.Part, "part", "", "only what the caller needs (caller) or the member accounts' role (member)")
	cmd.Flags().StringVar(&opts.Role, "role", "", "let the caller assume role `NAME` (or an ARN template with {account}) instead of OrganizationAccountAccessRole")
	return cmd
}

func runPolicy(opts *PolicyOptions) error {
	doc, err := policy.For(opts.Features, opts.Part)
	if err != nil {
		return &UsageError{Err: err}
	}
	return report.JSON(opts.IO.Out, doc.Entering(opts.Role))
}
