package spec

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// lines joins source lines, so a test can count lines by index.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// withPeople is a minimal valid spec header followed by the given lines; the
// first of them is line 3.
func withPeople(ls ...string) string {
	return lines(append([]string{"delivery: {from: noreply@example.com}", "people:"}, ls...)...)
}

// fromFlag is the --from a CSV or argument input needs for SES delivery.
var fromFlag = Flags{From: Set("noreply@example.com")}

func mustParse(t *testing.T, name, src string, flags Flags) *Input {
	t.Helper()
	in, err := Parse(name, []byte(src), flags)
	if err != nil {
		t.Fatalf("Parse(%s) failed:\n%v", name, err)
	}
	return in
}

// problemStrings returns the rendered problems of err, failing the test when
// err is not Problems.
func problemStrings(t *testing.T, err error) []string {
	t.Helper()
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v (%T) is not Problems", err, err)
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// assertProblems checks that err holds exactly len(want) problems, each
// starting with the wanted text (which includes its position).
func assertProblems(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want problems:\n%s", strings.Join(want, "\n"))
	}
	got := problemStrings(t, err)
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasPrefix(got[i], want[i])
	}
	if !ok {
		t.Fatalf("problems:\n%s\nwant (prefixes):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// withChannelDefaults is d with the channels' settings Build fills in when the
// input gives none.
func withChannelDefaults(d Delivery) Delivery {
	d.SMTP = SMTP{TLS: TLSStartTLS}
	d.Slack = Slack{APIURL: "https://slack.com/api/"}
	d.Claim = Claim{Via: ChannelSES, TTL: 72 * time.Hour}
	d.File = File{Dir: "credentials"}
	return d
}

func userNames(in *Input) []string {
	var out []string
	for _, p := range in.People {
		out = append(out, p.UserName)
	}
	return out
}
