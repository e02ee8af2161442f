package secretsmanager_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

const (
	lower = "abcdefghijklmnopqrstuvwxyz"
	upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digit = "0123456789"
	punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

func TestGetRandomPassword(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	client := secretsmanager.NewFromConfig(sb.Config("123456789012"))
	tests := []struct {
		name    string
		in      secretsmanager.GetRandomPasswordInput
		length  int
		need    []string // classes that must each appear
		allowed string   // every character must come from here
	}{
		{"defaults", secretsmanager.GetRandomPasswordInput{}, 32, []string{lower, upper, digit, punct}, lower + upper + digit + punct},
		{"no punctuation", secretsmanager.GetRandomPasswordInput{ExcludePunctuation: aws.Bool(true)}, 32, []string{lower, upper, digit}, lower + upper + digit},
		{"digits only", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(12), ExcludeLowercase: aws.Bool(true), ExcludeUppercase: aws.Bool(true), ExcludePunctuation: aws.Bool(true)}, 12, []string{digit}, digit},
		{"letters only", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(20), ExcludeNumbers: aws.Bool(true), ExcludePunctuation: aws.Bool(true)}, 20, []string{lower, upper}, lower + upper},
		{"with space", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(5), IncludeSpace: aws.Bool(true)}, 5, []string{lower, upper, digit, punct, " "}, lower + upper + digit + punct + " "},
		{"exclude characters", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(64), ExcludeCharacters: aws.String(`"'\/@` + "`abc")}, 64, []string{lower, upper, digit, punct}, strings.Trim(lower, "abc") + upper + digit + "!#$%&()*+,-.:;<=>?[]^_{|}~"},
		{"excluded digits are not required", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(3), ExcludeCharacters: aws.String(digit)}, 3, []string{lower, upper, punct}, lower + upper + punct},
		{"length one without requirement", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(1), RequireEachIncludedType: aws.Bool(false)}, 1, nil, lower + upper + digit + punct},
		{"maximum length", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(4096)}, 4096, []string{lower, upper, digit, punct}, lower + upper + digit + punct},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := client.GetRandomPassword(context.Background(), &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			pw := aws.ToString(out.RandomPassword)
			if utf8.RuneCountInString(pw) != tt.length {
				t.Errorf("length = %d, want %d", len(pw), tt.length)
			}
			for _, class := range tt.need {
				if !strings.ContainsAny(pw, class) {
					t.Errorf("password %q has no character of %q", pw, class)
				}
			}
			for _, c := range pw {
				if !strings.ContainsRune(tt.allowed, c) {
					t.Errorf("password %q holds %q, not allowed here", pw, c)
				}
			}
		})
	}
}

func TestGetRandomPasswordIsRandom(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	client := secretsmanager.NewFromConfig(sb.Config("123456789012"))
	seen := map[string]bool{}
	for range 20 {
		out, err := client.GetRandomPassword(context.Background(), &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(16)})
		if err != nil {
			t.Fatal(err)
		}
		if seen[*out.RandomPassword] {
			t.Fatalf("password %q generated twice", *out.RandomPassword)
		}
		seen[*out.RandomPassword] = true
	}
}

func TestGetRandomPasswordErrors(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	client := secretsmanager.NewFromConfig(sb.Config("123456789012"))
	all := secretsmanager.GetRandomPasswordInput{ExcludeLowercase: aws.Bool(true), ExcludeUppercase: aws.Bool(true), ExcludeNumbers: aws.Bool(true), ExcludePunctuation: aws.Bool(true)}
	tests := []struct {
		name     string
		in       secretsmanager.GetRandomPasswordInput
		code     string
		contains string
	}{
		{"zero length", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(0)}, "ValidationException", "greater than or equal to 1"},
		{"too long", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(4097)}, "ValidationException", "less than or equal to 4096"},
		{"every type excluded", all, "InvalidParameterException", "every character type is excluded"},
		{"everything excluded by characters", secretsmanager.GetRandomPasswordInput{ExcludePunctuation: aws.Bool(true), ExcludeCharacters: aws.String(lower + upper + digit)}, "InvalidParameterException", "every character type is excluded"},
		{"too short for required types", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(3)}, "InvalidParameterException", "Password length is too short based on the required types."},
		{"space counts as a type", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(4), IncludeSpace: aws.Bool(true)}, "InvalidParameterException", "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := client.GetRandomPassword(context.Background(), &tt.in)
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error = %v, want %s", err, tt.code)
			}
			if ae.ErrorCode() != tt.code || !strings.Contains(ae.ErrorMessage(), tt.contains) {
				t.Errorf("error = %s %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), tt.code, tt.contains)
			}
		})
	}
}
