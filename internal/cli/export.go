package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/deploy"
)

// ExportOptions are `gatehouse export cloudformation`'s options.
type ExportOptions struct {
	IO           *IO
	Worker       bool
	Architecture string
}

// NewCmdExport builds `gatehouse export`.
func NewCmdExport(streams *IO, runF func(context.Context, *ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{IO: streams}
	export := &cobra.Command{Use: "export", Short: "Print deployment files for gatehouse's event handling"}
	cfn := &cobra.Command{
		Use:   "cloudformation [--worker] [--arch arm64|x86_64]",
		Short: "Print a CloudFormation template: rule, queue, dead-letter queue and the Lambda function",
		Long: `Print a CloudFormation template (JSON) that wires CloudTrail's CreateUser events to
gatehouse, as seed 003's setup does by hand: an EventBridge rule (deploy it in
us-east-1, where IAM's events arrive), an SQS queue with a dead-letter queue and
a policy that lets only the rule send to it, and the Lambda function (the
gatehouse binary named bootstrap on provided.al2023, reporting partial batch
failures) with a least-privilege execution role. With --worker, no function:
a managed policy for the host that runs gatehouse watch instead.

The member accounts' role needs gatehouse policy --for watch --part member.`,
		Example: `  gatehouse export cloudformation > gatehouse.json
  aws cloudformation deploy --region us-east-1 --stack-name gatehouse --template-file gatehouse.json \
      --capabilities CAPABILITY_IAM --parameter-overrides CodeBucket=my-bucket CodeKey=gatehouse.zip`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			body, err := deploy.Template(deploy.Options{Worker: opts.Worker, Architecture: opts.Architecture})
			if err != nil {
				return &UsageError{Err: err}
			}
			_, err = fmt.Fprintln(opts.IO.Out, string(body))
			return err
		},
	}
	cfn.Flags().BoolVar(&opts.Worker, "worker", false, "no function: gatehouse watch runs on a host of yours")
	cfn.Flags().StringVar(&opts.Architecture, "arch", "arm64", "the function's architecture: arm64 or x86_64")
	export.AddCommand(cfn)
	return export
}
