package awsx

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestPartition(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{
		"":               "aws",
		"us-east-1":      "aws",
		"eu-west-3":      "aws",
		"ap-northeast-1": "aws",
		"us-west-2":      "aws",
		"cn-north-1":     "aws-cn",
		"cn-northwest-1": "aws-cn",
		"us-gov-west-1":  "aws-us-gov",
		"us-gov-east-1":  "aws-us-gov",
		"us-iso-east-1":  "aws-iso",
		"us-isob-east-1": "aws-iso-b",
	} {
		if got := Partition(region); got != want {
			t.Errorf("Partition(%q) = %q, want %q", region, got, want)
		}
	}
}

func TestSignInURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		partition, who, want string
	}{
		{"aws", "example-prod", "https://example-prod.signin.aws.amazon.com/console"},
		{"aws", "111122223333", "https://111122223333.signin.aws.amazon.com/console"},
		{"aws-cn", "example-cn", "https://example-cn.signin.amazonaws.cn/console"},
		{"aws-us-gov", "222233334444", "https://222233334444.signin.amazonaws-us-gov.com/console"},
		{"aws-iso", "x", ""},
		{"aws", "", ""},
	} {
		if got := SignInURL(tc.partition, tc.who); got != tc.want {
			t.Errorf("SignInURL(%q, %q) = %q, want %q", tc.partition, tc.who, got, tc.want)
		}
	}
	// The two helpers compose: a region's URL lands on its partition's domain.
	if got := SignInURL(Partition("cn-north-1"), "a"); got != "https://a.signin.amazonaws.cn/console" {
		t.Errorf("cn-north-1 URL = %q", got)
	}
}

func TestPartitionOfARN(t *testing.T) {
	t.Parallel()
	for arn, want := range map[string]string{
		"arn:aws:iam::111111111111:root":                "aws",
		"arn:aws-cn:sts::111111111111:assumed-role/R/s": "aws-cn",
		"arn:aws-us-gov:iam::111111111111:user/alice":   "aws-us-gov",
		"not an arn": "aws",
		"":           "aws",
	} {
		if got := partitionOfARN(arn); got != want {
			t.Errorf("partitionOfARN(%q) = %q, want %q", arn, got, want)
		}
	}
}

// fakeAliasAPI answers ListAccountAliases from Aliases or Err and counts calls.
type fakeAliasAPI struct {
	Aliases []string
	Err     error
	calls   int
}

func (f *fakeAliasAPI) ListAccountAliases(context.Context, *iam.ListAccountAliasesInput, ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error) {
	f.calls++
	if f.Err != nil {
		return nil, f.Err
	}
	return &iam.ListAccountAliasesOutput{AccountAliases: f.Aliases}, nil
}

func TestAccountAliasErrors(t *testing.T) {
	t.Parallel()
	api := &fakeAliasAPI{Err: apiErr("AccessDenied")}
	if _, err := AccountAlias(context.Background(), api); !errors.Is(err, ErrAccessDenied) {
		t.Errorf("AccountAlias on AccessDenied = %v, want ErrAccessDenied", err)
	}
	api = &fakeAliasAPI{}
	if got, err := AccountAlias(context.Background(), api); got != "" || err != nil || api.calls != 1 {
		t.Errorf("AccountAlias without alias = %q, %v after %d calls", got, err, api.calls)
	}
}
