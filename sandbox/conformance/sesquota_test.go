package conformance

import (
	"strings"
	"testing"
)

func TestSESAccountAndSendingSandbox(t *testing.T) {
	cli := newCLI(t)
	acct := cli.Run("sesv2", "get-account")
	if acct["ProductionAccessEnabled"] != true || get(acct, "SendQuota", "MaxSendRate") != 1000.0 || str(acct, "EnforcementStatus") != "HEALTHY" {
		t.Errorf("default get-account = %v", acct)
	}
	cli.PostInspect("ses/account", map[string]any{"account": cli.Account, "production_access": false}, nil)
	acct = cli.Run("sesv2", "get-account")
	if acct["ProductionAccessEnabled"] != false || get(acct, "SendQuota", "Max24HourSend") != 200.0 || get(acct, "SendQuota", "MaxSendRate") != 1.0 {
		t.Errorf("get-account in the sending sandbox = %v", acct)
	}
	cli.Run("sesv2", "create-email-identity", "--email-identity", "ops@example.com")
	msg := cli.Fail("MessageRejected", "sesv2", "send-email", "--from-email-address", "ops@example.com",
		"--destination", "ToAddresses=new.hire@corp.example",
		"--content", `{"Simple":{"Subject":{"Data":"hi"},"Body":{"Text":{"Data":"hello"}}}}`)
	if !strings.HasSuffix(msg, "failed the check in region US-EAST-1: new.hire@corp.example") {
		t.Errorf("unverified recipient: %q", msg)
	}
	cli.Run("ses", "send-email", "--from", "ops@example.com", "--to", "success@simulator.amazonses.com", "--subject", "s", "--text", "t")
	q := cli.Run("ses", "get-send-quota")
	if q["Max24HourSend"] != 200.0 || q["MaxSendRate"] != 1.0 || q["SentLast24Hours"] != 1.0 {
		t.Errorf("get-send-quota = %v", q)
	}
}

// TestSESThrottling runs on a sandbox of its own: it stops the clock, so that
// the CLI's speed does not decide whether two calls fall in one second.
func TestSESThrottling(t *testing.T) {
	t.Parallel()
	content := `{"Simple":{"Subject":{"Data":"hi"},"Body":{"Text":{"Data":"hello"}}}}`
	srv := startServer(t)
	t.Cleanup(srv.stop)
	cli := newCLIFor(t, srv, freshAccount())
	cli.PostInspect("clock", map[string]bool{"freeze": true}, nil)
	cli.PostInspect("ses/account", map[string]any{"account": cli.Account, "max_send_rate": 2}, nil)
	cli.Run("ses", "verify-email-identity", "--email-address", "ops@example.com")
	cli.Run("sesv2", "send-email", "--from-email-address", "ops@example.com", "--destination", "ToAddresses=a@x.example,b@x.example", "--content", content)
	if msg := cli.Fail("TooManyRequestsException", "sesv2", "send-email", "--from-email-address", "ops@example.com",
		"--destination", "ToAddresses=c@x.example", "--content", content); msg != "Maximum sending rate exceeded." {
		t.Errorf("v2 over the rate: %q", msg)
	}
	if msg := cli.Fail("Throttling", "ses", "send-email", "--from", "ops@example.com", "--to", "c@x.example", "--subject", "s", "--text", "t"); msg != "Maximum sending rate exceeded." {
		t.Errorf("v1 over the rate: %q", msg)
	}

	daily := newCLIFor(t, cli.srv, freshAccount())
	daily.PostInspect("ses/account", map[string]any{"account": daily.Account, "max_24_hour_send": 3}, nil)
	daily.Run("ses", "verify-email-identity", "--email-address", "ops@example.com")
	daily.Run("ses", "send-email", "--from", "ops@example.com", "--to", "a@x.example", "b@x.example", "--subject", "s", "--text", "t")
	if msg := daily.Fail("LimitExceededException", "sesv2", "send-email", "--from-email-address", "ops@example.com",
		"--destination", "ToAddresses=c@x.example,d@x.example", "--content", content); msg != "Daily message quota exceeded." {
		t.Errorf("v2 over the daily quota: %q", msg)
	}
	if msg := daily.Fail("Throttling", "ses", "send-email", "--from", "ops@example.com", "--to", "c@x.example", "d@x.example", "--subject", "s", "--text", "t"); msg != "Daily message quota exceeded." {
		t.Errorf("v1 over the daily quota: %q", msg)
	}
	if sent := get(daily.Run("sesv2", "get-account"), "SendQuota", "SentLast24Hours"); sent != 2.0 {
		t.Errorf("SentLast24Hours = %v", sent)
	}
}
