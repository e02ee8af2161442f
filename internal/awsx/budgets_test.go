package awsx

import (
	"testing"

	"golang.org/x/time/rate"
)

// Each service has its own limiter in an account: one throttled or fixed
// to a quota leaves the others as they were.
func TestBudgetsArePerService(t *testing.T) {
	t.Parallel()
	b := newBudgets(Options{}.withDefaults())
	iam, ses := b.of("IAM"), b.of("SESv2")
	if iam == ses || b.of("IAM") != iam {
		t.Fatal("one limiter per service, made once")
	}
	iam.throttled()
	if got := ses.lim.Limit(); got != AdaptiveCeiling {
		t.Errorf("SES slowed down with IAM: %v", got)
	}
	b.fix("SESv2", 5, 1)
	if got := b.of("SESv2").lim.Limit(); got != rate.Limit(5) || b.of("SESv2").adaptive {
		t.Errorf("SES fixed at 5/s: got %v (adaptive %v)", got, b.of("SESv2").adaptive)
	}
	if b.of("IAM") != iam {
		t.Error("fixing SES replaced IAM's limiter")
	}
}

// Services that share a quota share one limiter; the others keep theirs.
func TestBudgetsShare(t *testing.T) {
	t.Parallel()
	b := newBudgets(Options{}.withDefaults())
	iam := b.of("IAM")
	b.share([]string{"identitystore", "SSO Admin"}, 20, 20)
	if b.of("identitystore") != b.of("SSO Admin") || b.of("identitystore").lim.Limit() != 20 || b.of("IAM") != iam {
		t.Error("identitystore and SSO Admin must wait on one 20/s limiter, IAM on its own")
	}
}

// Sharing again keeps the limiter and what was spent from it; another rate
// replaces it.
func TestBudgetsShareAgainKeepsTheLimiter(t *testing.T) {
	t.Parallel()
	b := newBudgets(Options{}.withDefaults())
	services := []string{"identitystore", "SSO Admin"}
	b.share(services, 20, 20)
	shared := b.of("identitystore")
	b.share(services, 20, 20)
	if b.of("identitystore") != shared || b.of("SSO Admin") != shared {
		t.Error("sharing again made a new limiter: a directory per request would start each with a full bucket")
	}
	b.share(services, 10, 10)
	if b.of("identitystore") == shared || b.of("identitystore").lim.Limit() != 10 {
		t.Error("sharing at another rate must replace the limiter")
	}
}
