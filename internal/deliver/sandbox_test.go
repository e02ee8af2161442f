package deliver_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/mail"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

const (
	account  = "111122223333"
	sender   = "gatehouse@example.com"
	password = `Tr0ub4dor&3-correct+horse'battery{}`
)

type sentMail struct {
	ID           string   `json:"id"`
	Source       string   `json:"source"`
	Destinations []string `json:"destinations"`
	Subject      string   `json:"subject"`
	Text         string   `json:"text"`
	HTML         string   `json:"html"`
	Raw          string   `json:"raw"`
}

func sent(t *testing.T, sb *sandboxtest.Sandbox) []sentMail {
	t.Helper()
	var v struct{ Messages []sentMail }
	sb.Get(t, "ses/messages", &v)
	return v.Messages
}

func verify(t *testing.T, sb *sandboxtest.Sandbox, identity string) {
	t.Helper()
	_, err := sesv2.NewFromConfig(sb.Config(account)).CreateEmailIdentity(context.Background(),
		&sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(identity)})
	if err != nil {
		t.Fatalf("verifying %s: %v", identity, err)
	}
}

func japaneseCredential() deliver.Credential {
	return deliver.Credential{
		Account: account, AccountAlias: "example-prod", UserName: "hanako", Email: "hanako@example.com",
		DisplayName: "山田 花子", Password: password, SignInURL: "https://example-prod.signin.aws.amazon.com/console",
		ResetRequired: true, Language: "ja",
	}
}

func TestSESDeliversThroughSandbox(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	verify(t, sb, sender)
	ch, err := deliver.New("ses", deliver.Deps{AWS: sb.Config(account), From: "Gatehouse <" + sender + ">", ReplyTo: "it@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	r, err := ch.Deliver(context.Background(), japaneseCredential())
	if err != nil {
		t.Fatal(err)
	}
	mails := sent(t, sb)
	if len(mails) != 1 {
		t.Fatalf("%d messages sent, want 1", len(mails))
	}
	m := mails[0]
	const subject = "AWS アカウントのサインイン情報（example-prod）"
	if r.MessageID != m.ID || m.Source != sender || strings.Join(m.Destinations, ",") != "hanako@example.com" || m.Subject != subject {
		t.Errorf("receipt %+v; sent %+v", r, m)
	}
	for _, want := range []string{password, "hanako", "https://example-prod.signin.aws.amazon.com/console", "初回サインイン時に、新しいパスワードの設定が必要です。"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if !strings.Contains(m.HTML, `<html lang="ja">`) || !strings.Contains(m.HTML, "山田 花子 様") {
		t.Errorf("html = %s", m.HTML)
	}
	checkRawHeaders(t, m.Raw, subject)
}

// checkRawHeaders reads the MIME message as a mail client would: the
// Japanese subject and name arrive as RFC 2047 encoded words that decode to
// the original text.
func checkRawHeaders(t *testing.T, raw, subject string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("raw message: %v", err)
	}
	rawSubject := msg.Header.Get("Subject")
	if !strings.Contains(strings.ToLower(rawSubject), "=?utf-8?") || strings.ContainsFunc(rawSubject, func(r rune) bool { return r > 127 }) {
		t.Errorf("Subject header %q is not RFC 2047 encoded", rawSubject)
	}
	if got, err := new(mime.WordDecoder).DecodeHeader(rawSubject); err != nil || got != subject {
		t.Errorf("decoded subject = %q, %v; want %q", got, err, subject)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "山田 花子" || to[0].Address != "hanako@example.com" {
		t.Errorf("To = %v, %v", to, err)
	}
	if rt, err := msg.Header.AddressList("Reply-To"); err != nil || len(rt) != 1 || rt[0].Address != "it@example.com" {
		t.Errorf("Reply-To = %v, %v", rt, err)
	}
	body, _ := io.ReadAll(msg.Body)
	if !strings.Contains(msg.Header.Get("Content-Type"), "multipart/alternative") || !strings.Contains(string(body), "text/html; charset=UTF-8") {
		t.Errorf("body is not multipart text and HTML: %s", msg.Header.Get("Content-Type"))
	}
}

func TestSESUnverifiedSender(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	verify(t, sb, "someone-else@example.com")
	ch, err := deliver.New("ses", deliver.Deps{AWS: sb.Config(account), From: sender})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ch.Deliver(context.Background(), japaneseCredential())
	if err == nil {
		t.Fatal("delivered from an unverified sender")
	}
	msg := err.Error()
	if !strings.Contains(msg, "check that the sender "+sender+" is a verified identity in SES in us-east-1") || !strings.Contains(msg, "hanako@example.com") {
		t.Errorf("error does not say which sender to verify: %v", err)
	}
	var rejected *types.MessageRejected
	if !errors.Is(err, deliver.ErrRejected) || !errors.As(err, &rejected) {
		t.Errorf("error is not ErrRejected wrapping MessageRejected: %v", err)
	}
	if strings.Contains(msg, password) {
		t.Errorf("error contains the password: %v", err)
	}
	if n := len(sent(t, sb)); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}
