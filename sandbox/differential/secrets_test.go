package differential

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// GetRandomPassword: PasswordLength defaults to 32; ExcludeCharacters, -Numbers,
// -Punctuation, -Uppercase and -Lowercase leave those characters out;
// punctuation is ! " # $ % & ' ( ) * + , - . / : ; < = > ? @ [ \ ] ^ _ ` { | } ~;
// IncludeSpace defaults to false; RequireEachIncludedType (default true) puts at
// least one character of every included type in the password.
const refGetRandomPassword = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html"

const (
	upper       = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower       = "abcdefghijklmnopqrstuvwxyz"
	digits      = "0123456789"
	punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// passwordRule is one GetRandomPassword request and what AWS documents for it.
type passwordRule struct {
	name     string
	in       secretsmanager.GetRandomPasswordInput
	length   int
	forbid   string   // characters that must not appear
	required []string // classes each password must draw from
}

var passwordRules = []passwordRule{
	{"defaults", secretsmanager.GetRandomPasswordInput{}, 32, " ", []string{upper, lower, digits, punctuation}},
	{"PasswordLength 12", secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(12)}, 12, " ", []string{upper, lower, digits, punctuation}},
	{"ExcludeCharacters", secretsmanager.GetRandomPasswordInput{ExcludeCharacters: aws.String("abcdefABCDEF012345!\"#$%")}, 32, "abcdefABCDEF012345!\"#$% ", nil},
	{"ExcludeNumbers", secretsmanager.GetRandomPasswordInput{ExcludeNumbers: aws.Bool(true)}, 32, digits + " ", []string{upper, lower, punctuation}},
	{"ExcludePunctuation", secretsmanager.GetRandomPasswordInput{ExcludePunctuation: aws.Bool(true)}, 32, punctuation + " ", []string{upper, lower, digits}},
	{"ExcludeUppercase", secretsmanager.GetRandomPasswordInput{ExcludeUppercase: aws.Bool(true)}, 32, upper + " ", []string{lower, digits, punctuation}},
	{"ExcludeLowercase", secretsmanager.GetRandomPasswordInput{ExcludeLowercase: aws.Bool(true)}, 32, lower + " ", []string{upper, digits, punctuation}},
	{"ExcludePunctuation and PasswordLength 4", secretsmanager.GetRandomPasswordInput{ExcludePunctuation: aws.Bool(true), PasswordLength: aws.Int64(4)}, 4, punctuation + " ", []string{upper, lower, digits}},
}

func TestGetRandomPasswordHonoursItsParameters(t *testing.T) {
	scenario(t, "GetRandomPassword parameters", func(r *run) {
		const tries = 25 // enough to catch a class that is only usually present
		for _, rule := range passwordRules {
			var problem, sample string
			for range tries {
				in := rule.in
				out, err := r.Secrets.GetRandomPassword(r.ctx, &in)
				if err != nil {
					r.lacks(err)
					problem = outcome(err)
					break
				}
				sample = aws.ToString(out.RandomPassword)
				if problem = passwordProblem(sample, rule); problem != "" {
					break
				}
			}
			observed := "every password fits"
			if problem != "" {
				observed = problem
			}
			r.check("GetRandomPassword with "+rule.name, awsDoc{says: describeRule(rule), ref: refGetRandomPassword}, problem == "", observed)
		}
	})
}

func describeRule(rule passwordRule) string {
	s := fmt.Sprintf("%d characters", rule.length)
	if f := strings.TrimSpace(rule.forbid); f != "" && len(f) < 30 {
		s += ", none of " + f
	}
	if len(rule.required) > 0 {
		s += fmt.Sprintf(", at least one of each of the %d included types", len(rule.required))
	}
	return s
}

// passwordProblem says how a password breaks the rule ("" when it does not).
func passwordProblem(pw string, rule passwordRule) string {
	if n := utf8.RuneCountInString(pw); n != rule.length {
		return fmt.Sprintf("a password has %d characters", n)
	}
	if i := strings.IndexAny(pw, rule.forbid); i >= 0 {
		return fmt.Sprintf("a password contains excluded %q", pw[i])
	}
	for _, class := range rule.required {
		if !strings.ContainsAny(pw, class) {
			return fmt.Sprintf("a password has no character of %q", class)
		}
	}
	return ""
}
