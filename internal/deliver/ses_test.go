package deliver

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// fakeSES records every SendEmail call and answers with SendEmailFn.
type fakeSES struct {
	SendEmailFn func(in *sesv2.SendEmailInput) (*sesv2.SendEmailOutput, error)
	calls       []*sesv2.SendEmailInput
}

func (f *fakeSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.calls = append(f.calls, in)
	if f.SendEmailFn == nil {
		return &sesv2.SendEmailOutput{MessageId: aws.String("msg-1")}, nil
	}
	return f.SendEmailFn(in)
}

func newFakeSES(t *testing.T, deps Deps, fn func(*sesv2.SendEmailInput) (*sesv2.SendEmailOutput, error)) (*sesChannel, *fakeSES) {
	t.Helper()
	fake := &fakeSES{SendEmailFn: fn}
	deps.AWS.Region = "eu-west-1"
	ch, err := newSESWith(fake, deps)
	if err != nil {
		t.Fatal(err)
	}
	return ch, fake
}

func TestSESSendsSimpleUTF8Message(t *testing.T) {
	t.Parallel()
	ch, fake := newFakeSES(t, Deps{From: "Ops <ops@example.com>", ReplyTo: "help@example.com", Language: "ja"}, nil)
	c := testCredential("")
	c.DisplayName = "山田 花子"
	r, err := ch.Deliver(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if r.Channel != "ses" || r.MessageID != "msg-1" || r.String() != "SES message msg-1 to alice@example.com" {
		t.Errorf("receipt = %+v", r)
	}
	if len(fake.calls) != 1 {
		t.Fatalf("%d SendEmail calls", len(fake.calls))
	}
	in := fake.calls[0]
	msg := in.Content.Simple
	if aws.ToString(in.FromEmailAddress) != "Ops <ops@example.com>" || strings.Join(in.ReplyToAddresses, ",") != "help@example.com" ||
		strings.Join(in.Destination.ToAddresses, ",") != "=?utf-8?q?=E5=B1=B1=E7=94=B0_=E8=8A=B1=E5=AD=90?= <alice@example.com>" ||
		len(in.Destination.CcAddresses)+len(in.Destination.BccAddresses) != 0 {
		t.Errorf("addresses: from %q reply-to %v to %v", aws.ToString(in.FromEmailAddress), in.ReplyToAddresses, in.Destination.ToAddresses)
	}
	for name, part := range map[string]*types.Content{"subject": msg.Subject, "text": msg.Body.Text, "html": msg.Body.Html} {
		if part == nil || aws.ToString(part.Charset) != "UTF-8" || aws.ToString(part.Data) == "" {
			t.Errorf("%s = %+v, want UTF-8 content", name, part)
		}
	}
	if got := aws.ToString(msg.Subject.Data); got != "AWS アカウントのサインイン情報（example-prod）" {
		t.Errorf("subject %q: want the channel's default language, Japanese", got)
	}
}

func TestSESLeavesOutBodiesTheOverrideOmits(t *testing.T) {
	t.Parallel()
	ch, fake := newFakeSES(t, Deps{From: "ops@example.com", Template: spec.Template{Text: "{{.Password}}"}}, nil)
	if _, err := ch.Deliver(context.Background(), testCredential("en")); err != nil {
		t.Fatal(err)
	}
	if b := fake.calls[0].Content.Simple.Body; b.Html != nil || aws.ToString(b.Text.Data) != testPassword {
		t.Errorf("body = %+v", b)
	}
}

// TestSESErrorsNeverContainThePassword makes SES fail with errors that echo
// the password back (a misbehaving proxy, a verbose endpoint).
func TestSESErrorsNeverContainThePassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		rejected bool
	}{
		{"rejected", &types.MessageRejected{Message: aws.String("bad content: " + testPassword)}, true},
		{"generic", &smithy.GenericAPIError{Code: "InternalFailure", Message: "echo " + testPassword}, false},
		{"transport", errors.New(`Post "https://email.eu-west-1.amazonaws.com": body {"Data":"` + testPassword + `"}`), false},
		{"plain", &types.TooManyRequestsException{Message: aws.String("slow down")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, _ := newFakeSES(t, Deps{From: "ops@example.com"}, func(*sesv2.SendEmailInput) (*sesv2.SendEmailOutput, error) { return nil, tt.err })
			_, err := ch.Deliver(context.Background(), testCredential("en"))
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("error contains the password: %v", err)
			}
			if !strings.Contains(err.Error(), "alice@example.com") || !strings.Contains(err.Error(), "from ops@example.com") {
				t.Errorf("error lacks the recipient or sender: %v", err)
			}
			if errors.Is(err, ErrRejected) != tt.rejected {
				t.Errorf("errors.Is(ErrRejected) = %v, want %v: %v", !tt.rejected, tt.rejected, err)
			}
		})
	}
}

func TestSESRefusesIncompleteCredential(t *testing.T) {
	t.Parallel()
	ch, fake := newFakeSES(t, Deps{From: "ops@example.com"}, nil)
	c := testCredential("en")
	c.Email = ""
	if _, err := ch.Deliver(context.Background(), c); err == nil || !errors.Is(err, ErrRejected) {
		t.Errorf("no e-mail: %v", err)
	}
	c = testCredential("de")
	if _, err := ch.Deliver(context.Background(), c); err == nil || !strings.Contains(err.Error(), `"de"`) {
		t.Errorf("language de: %v", err)
	}
	if len(fake.calls) != 0 {
		t.Errorf("%d SendEmail calls", len(fake.calls))
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	withRegion := aws.Config{Region: "us-east-1"}
	tests := []struct {
		name, channel string
		deps          Deps
		want          string // error text; "" for success
	}{
		{"ses", "ses", Deps{AWS: withRegion, From: "ops@example.com"}, ""},
		{"none", "none", Deps{}, ""},
		{"unknown", "pigeon", Deps{}, `unknown delivery channel "pigeon": choose one of ses, smtp, slack, claim, file, none`},
		{"no sender", "ses", Deps{AWS: withRegion}, "no sender address"},
		{"bad sender", "ses", Deps{AWS: withRegion, From: "not an address"}, `sender address "not an address"`},
		{"bad reply-to", "ses", Deps{AWS: withRegion, From: "ops@example.com", ReplyTo: "@"}, `reply-to address "@"`},
		{"no region", "ses", Deps{From: "ops@example.com"}, "no AWS region"},
		{"bad language", "ses", Deps{AWS: withRegion, From: "ops@example.com", Language: "xx"}, `unknown template language "xx"`},
		{"bad template", "ses", Deps{AWS: withRegion, From: "ops@example.com", Template: spec.Template{HTML: "{{.Missing}}"}}, "rendering the delivery.template.html template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, err := New(tt.channel, tt.deps)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) || ch != nil {
					t.Errorf("New = %v, %v; want an error with %q", ch, err, tt.want)
				}
				return
			}
			if err != nil || ch.Name() != tt.channel {
				t.Fatalf("New = %v, %v", ch, err)
			}
			if err := ch.Close(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestNoneDeliversNothing(t *testing.T) {
	t.Parallel()
	ch, err := New("none", Deps{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ch.Deliver(context.Background(), testCredential("en"))
	if err != nil || r.Channel != "none" || !strings.Contains(r.String(), "only in the command's output") || strings.Contains(r.String(), testPassword) {
		t.Errorf("receipt = %+v, %v", r, err)
	}
}
