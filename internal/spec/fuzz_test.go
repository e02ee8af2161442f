package spec

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes: it must never panic, must answer with
// either an Input or Problems (never both, never neither), and an Input it
// returns must hold only valid people. The seed corpus is in
// testdata/fuzz/FuzzParse; run with go test -fuzz=FuzzParse ./internal/spec.
func FuzzParse(f *testing.F) {
	for _, name := range exampleFiles(f) {
		data, err := os.ReadFile(filepath.Join(examplesDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(seed000Input))
	f.Add([]byte(seed001Input))
	f.Add([]byte(overrideSpec))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Parse("fuzz", data, Flags{Deliver: Set(ChannelNone)})
		if err != nil {
			checkProblems(t, in, err)
			return
		}
		checkInput(t, in)
	})
}

func checkProblems(t *testing.T, in *Input, err error) {
	t.Helper()
	var ps Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		t.Fatalf("error %v (%T) is not a non-empty Problems", err, err)
	}
	if in != nil {
		t.Fatal("Parse returned both an Input and problems")
	}
	for _, p := range ps {
		if p.Fix == "" {
			t.Fatalf("problem without a fix: %+v", p)
		}
	}
}

func checkInput(t *testing.T, in *Input) {
	t.Helper()
	if in == nil || len(in.People) == 0 {
		t.Fatalf("accepted input without people: %+v", in)
	}
	if in.Password.Length < MinPasswordLength || in.Password.Length > MaxPasswordLength {
		t.Fatalf("accepted password length %d", in.Password.Length)
	}
	for _, id := range in.Accounts.IDs {
		if !accountIDRule.matches(id) {
			t.Fatalf("accepted account ID %q", id)
		}
	}
	d := in.Delivery
	if !slices.Contains(TLSModes, d.SMTP.TLS) || !slices.Contains(ClaimVias, d.Claim.Via) ||
		d.Claim.TTL <= 0 || d.Claim.TTL > MaxClaimTTL || d.File.Dir == "" {
		t.Fatalf("accepted channel settings %+v", d)
	}
	for _, p := range in.People {
		if p.PublicKey != "" && (privateKeyRe.MatchString(p.PublicKey) || !publicKeyRe.MatchString(p.PublicKey)) {
			t.Fatalf("accepted %s's public key %q", p.UserName, p.PublicKey)
		}
		if !userNameRule.matches(p.UserName) || (p.Email != "" && !isEmail(p.Email)) {
			t.Fatalf("accepted person %+v", p)
		}
		if !slices.Contains(Channels, p.Deliver) || !slices.Contains(Languages, p.Language) {
			t.Fatalf("accepted person with channel %q, language %q", p.Deliver, p.Language)
		}
	}
}
