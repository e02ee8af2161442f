package awsx

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Partitions gatehouse builds sign-in URLs for.
const (
	PartitionAWS   = "aws"
	PartitionChina = "aws-cn"
	PartitionGov   = "aws-us-gov"
)

// regionPrefixes maps region name prefixes to their partition; the longest
// matching prefix wins, so us-isob- is not taken for us-iso-.
var regionPrefixes = []struct{ prefix, partition string }{
	{"us-isob-", "aws-iso-b"},
	{"us-isof-", "aws-iso-f"},
	{"eu-isoe-", "aws-iso-e"},
	{"us-iso-", "aws-iso"},
	{"us-gov-", PartitionGov},
	{"cn-", PartitionChina},
}

// Partition returns the partition of a region: aws-cn for cn-*, aws-us-gov for
// us-gov-*, the isolated partitions for theirs, and aws for any other region
// (including "").
func Partition(region string) string {
	for _, p := range regionPrefixes {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return PartitionAWS
}

// partitionOfARN is the second field of an ARN, or aws when arn is not one.
func partitionOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) < 3 || parts[0] != "arn" || parts[1] == "" {
		return PartitionAWS
	}
	return parts[1]
}

// signInDomains are the console sign-in domains per partition.
var signInDomains = map[string]string{
	PartitionAWS:   "signin.aws.amazon.com",
	PartitionChina: "signin.amazonaws.cn",
	PartitionGov:   "signin.amazonaws-us-gov.com",
}

// SignInURL is the console sign-in page of an account for its IAM users,
// from the account alias or, without one, the account ID. It returns "" for a
// partition without a public console (the isolated ones) or an empty account.
func SignInURL(partition, aliasOrAccount string) string {
	domain, ok := signInDomains[partition]
	if !ok || aliasOrAccount == "" {
		return ""
	}
	return "https://" + aliasOrAccount + "." + domain + "/console"
}

// aliasAPI is what AccountAlias needs from IAM.
type aliasAPI interface {
	ListAccountAliases(ctx context.Context, in *iam.ListAccountAliasesInput, optFns ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error)
}

var _ aliasAPI = (*iam.Client)(nil)

// AccountAlias returns the account's alias, or "" when it has none (an account
// has at most one).
func AccountAlias(ctx context.Context, api aliasAPI) (string, error) {
	out, err := api.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	if err != nil {
		return "", fmt.Errorf("listing account aliases: %w", Classify(err))
	}
	if len(out.AccountAliases) == 0 {
		return "", nil
	}
	return out.AccountAliases[0], nil
}
