package spec

import (
	"strings"
	"testing"
	"time"
)

// Keys for the tests: real public keys, and private keys that are fakes with
// the real markers (the spec looks only at the form).
const (
	ageKey    = "age1lr3j92qflx80ejq5yzatskk7vu2lllveuyyqyk9xjyyk09rgppkq4g8dgw"
	sshKey    = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPWEQYiG4iFvzDGy2YuID4IohclCXtG2apCGqVu0w2r4 bob@laptop"
	pgpKey    = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxsBNBGsBN9kBCADM7g/nBAdSWS44nwM5\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n"
	sshSecret = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQSECRET\n-----END OPENSSH PRIVATE KEY-----\n"
	ageSecret = "AGE-SECRET-KEY-1QQQQSECRETQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"
)

// Rules about the smtp, slack, claim and file settings.
func TestChannelSettingsRules(t *testing.T) {
	t.Parallel()
	runYAMLCases(t, []yamlCase{
		{"smtp, complete", lines(
			"delivery:",
			"  channel: smtp",
			"  from: it@example.com",
			"  smtp: {addr: smtp.example.com:587, user: gatehouse, tls: STARTTLS}",
			"people: [a@example.com]"), nil},
		{"smtp without a sender or a server", lines("delivery: {channel: smtp}", "people: [a@example.com]"),
			[]string{
				`delivery by smtp in t.yaml: it needs a sender address: set delivery.from in the spec, or pass --from (or --deliver none)`,
				`delivery by smtp in t.yaml: it needs the mail server: set delivery.smtp.addr in the spec (host:port, e.g. smtp.example.com:587), or pass --smtp-addr`,
			}},
		{"smtp address without a port", lines(
			"delivery:",
			"  channel: none",
			"  smtp:",
			"    addr: smtp.example.com",
			"people: [a@example.com]"),
			[]string{`smtp addr "smtp.example.com" at t.yaml:4: write host:port, e.g. smtp.example.com:587`}},
		{"smtp port out of range", lines("delivery: {channel: none, smtp: {addr: \"smtp.example.com:65536\"}}", "people: [a@example.com]"),
			[]string{`smtp addr "smtp.example.com:65536" at t.yaml:1: write host:port`}},
		{"smtp port zero", lines("delivery: {channel: none, smtp: {addr: \"smtp.example.com:0\"}}", "people: [a@example.com]"),
			[]string{`smtp addr "smtp.example.com:0" at t.yaml:1: write host:port`}},
		{"smtp address with a user", lines("delivery: {channel: none, smtp: {addr: \"me@smtp.example.com:587\"}}", "people: [a@example.com]"),
			[]string{`smtp addr "me@smtp.example.com:587" at t.yaml:1: write host:port`}},
		{"smtp on IPv6 and port 65535", lines("delivery: {channel: none, smtp: {addr: \"[2001:db8::1]:65535\"}}", "people: [a@example.com]"), nil},
		{"smtp tls", lines("delivery: {channel: none, smtp: {tls: ssl}}", "people: [a@example.com]"),
			[]string{`smtp tls "ssl" at t.yaml:1: use one of: starttls, tls, none`}},
		{"smtp without tls, with a user, over the network", lines(
			"delivery: {channel: none, smtp: {addr: \"mail.example.com:25\", user: me, tls: none}}", "people: [a@example.com]"),
			[]string{`smtp tls none with a user at t.yaml:1: the password would cross the network unencrypted`}},
		{"smtp without tls, with a user, on this host", lines(
			"delivery: {channel: none, smtp: {addr: \"localhost:25\", user: me, tls: none}}", "people: [a@example.com]"), nil},
		{"smtp without tls, without a user", lines(
			"delivery: {channel: none, smtp: {addr: \"mail.example.com:25\", tls: none}}", "people: [a@example.com]"), nil},
		{"smtp has three fields", lines("delivery: {channel: none, smtp: {host: x}}", "people: [a@example.com]"),
			[]string{`unknown field "host" at t.yaml:1: smtp has the fields addr, tls, user`}},
		{"slack needs only addresses", lines("delivery: {channel: slack}", "people: [a@example.com]"), nil},
		{"slack person without e-mail", lines("delivery: {channel: slack}", "people:", "  - user_name: svc"),
			[]string{`person "svc" at t.yaml:3: has no e-mail address, so slack cannot find them (it looks people up by e-mail address)`}},
		{"slack api_url", lines(
			"delivery:",
			"  channel: slack",
			"  slack: {api_url: \"https://slack-proxy.example.com/api\"}",
			"people: [a@example.com]"), nil},
		{"slack api_url over http", lines("delivery: {channel: slack, slack: {api_url: \"http://slack.example.com/api/\"}}", "people: [a@example.com]"),
			[]string{`slack api_url "http://slack.example.com/api/" at t.yaml:1: use https: over plain http anyone on the way could read the bot token`}},
		{"slack api_url over http on this host", lines("delivery: {channel: slack, slack: {api_url: \"http://127.0.0.1:8080/api/\"}}", "people: [a@example.com]"), nil},
		{"slack api_url not absolute", lines("delivery: {channel: slack, slack: {api_url: slack.com/api}}", "people: [a@example.com]"),
			[]string{`slack api_url "slack.com/api" at t.yaml:1: write an absolute https:// address, e.g. https://slack.com/api/`}},
		{"slack api_url with a query", lines("delivery: {channel: slack, slack: {api_url: \"https://slack.com/api/?team=T1\"}}", "people: [a@example.com]"),
			[]string{`slack api_url "https://slack.com/api/?team=T1" at t.yaml:1: remove the ?query and #fragment`}},
		{"claim, complete", lines(
			"delivery:",
			"  channel: claim",
			"  from: it@example.com",
			"  claim: {url: \"https://claims.example.com\", via: SES, ttl: 3d}",
			"people: [a@example.com]"), nil},
		{"claim without a url or a sender", lines("delivery: {channel: claim}", "people: [a@example.com]"),
			[]string{
				`delivery by claim (via ses) in t.yaml: it needs a sender address: set delivery.from in the spec, or pass --from, with an address or domain SES has verified`,
				`delivery by claim in t.yaml: it needs the public address of gatehouse serve for the links: set delivery.claim.url`,
			}},
		{"claim via smtp needs the mail server", lines(
			"delivery: {channel: claim, from: it@example.com, claim: {url: \"https://claims.example.com\", via: smtp}}",
			"people: [a@example.com]"),
			[]string{`delivery by claim (via smtp) in t.yaml: it needs the mail server: set delivery.smtp.addr`}},
		{"claim via smtp, with some people by smtp too", lines(
			"delivery: {channel: claim, claim: {url: \"https://claims.example.com\", via: smtp}}",
			"people:",
			"  - a@example.com",
			"  - {email: b@example.com, deliver: smtp}"),
			[]string{
				`delivery by smtp and claim (via smtp) in t.yaml: it needs a sender address`,
				`delivery by smtp and claim (via smtp) in t.yaml: it needs the mail server`,
			}},
		{"claim via slack needs no sender", lines(
			"delivery: {channel: claim, claim: {url: \"https://claims.example.com/\", via: slack}}",
			"people: [a@example.com]"), nil},
		{"claim via a channel that cannot carry a link", lines(
			"delivery: {channel: claim, from: it@example.com, claim: {url: \"https://claims.example.com\", via: file}}",
			"people: [a@example.com]"),
			[]string{`claim via "file" at t.yaml:1: use one of: ses, smtp, slack`}},
		{"claim person without e-mail", lines(
			"delivery: {channel: claim, claim: {url: \"https://claims.example.com\", via: slack}}",
			"people: [{user_name: svc}]"),
			[]string{`person "svc" at t.yaml:2: has no e-mail address, so claim cannot deliver to them`}},
		{"claim url with a fragment", lines(
			"delivery: {channel: none, claim: {url: \"https://claims.example.com/#top\"}}", "people: [a@example.com]"),
			[]string{`claim url "https://claims.example.com/#top" at t.yaml:1: remove the ?query and #fragment: gatehouse adds the link's path, and its key as the #fragment`}},
		{"claim url over http", lines(
			"delivery: {channel: none, claim: {url: \"http://claims.example.com\"}}", "people: [a@example.com]"),
			[]string{`claim url "http://claims.example.com" at t.yaml:1: use https: over plain http anyone on the way could change the claim page`}},
		{"claim url over http on this host", lines(
			"delivery: {channel: none, claim: {url: \"http://localhost:8080\"}}", "people: [a@example.com]"), nil},
		{"claim url without a scheme", lines(
			"delivery: {channel: none, claim: {url: claims.example.com}}", "people: [a@example.com]"),
			[]string{`claim url "claims.example.com" at t.yaml:1: write an absolute https:// address, e.g. https://claims.example.com`}},
		{"claim ttl of 30 days", lines("delivery: {channel: none, claim: {ttl: 30d}}", "people: [a@example.com]"), nil},
		{"claim ttl of 720 hours and a minute", lines("delivery: {channel: none, claim: {ttl: 720h1m}}", "people: [a@example.com]"),
			[]string{`claim ttl 720h1m0s at t.yaml:1: use more than 0 and at most 720h (30 days)`}},
		{"claim ttl of zero", lines("delivery: {channel: none, claim: {ttl: 0s}}", "people: [a@example.com]"),
			[]string{`claim ttl 0s at t.yaml:1: use more than 0 and at most 720h`}},
		{"claim ttl negative", lines("delivery: {channel: none, claim: {ttl: -1h}}", "people: [a@example.com]"),
			[]string{`claim ttl -1h0m0s at t.yaml:1: use more than 0`}},
		{"claim ttl without a unit", lines("delivery: {channel: none, claim: {ttl: 72}}", "people: [a@example.com]"),
			[]string{`claim ttl "72" at t.yaml:1: write a duration like 72h, 90m or 3d`}},
		{"claim ttl in weeks", lines("delivery: {channel: none, claim: {ttl: 1w}}", "people: [a@example.com]"),
			[]string{`claim ttl "1w" at t.yaml:1: write a duration like 72h, 90m or 3d`}},
		{"file with keys", lines(
			"delivery: {channel: file}",
			"people:",
			"  - {email: a@example.com, public_key: "+ageKey+"}",
			"  - {email: b@example.com, public_key: \""+sshKey+"\"}",
			"  - email: c@example.com",
			"    public_key: |",
			indent(pgpKey, "      "),
			"  - {user_name: svc, public_key: "+ageKey+"}"), nil},
		{"file person without a key", lines("delivery: {channel: file}", "people:", "  - a@example.com", "  - {email: b@example.com, deliver: none}"),
			[]string{`person "a@example.com" at t.yaml:3: has no public key, so file cannot encrypt their credentials: add public_key or public_key_file for this person`}},
		{"file dir empty", lines("delivery: {channel: none, file: {dir: \"\"}}", "people: [a@example.com]"),
			[]string{`file dir at t.yaml:1: name the directory the encrypted files go to, e.g. credentials`}},
		{"the file channel per person", lines(
			"delivery: {from: it@example.com}",
			"people:",
			"  - a@example.com",
			"  - {email: b@example.com, deliver: file}"),
			[]string{`person "b@example.com" at t.yaml:4: has no public key, so file cannot encrypt their credentials`}},
	})
}

// indent puts prefix before every line of s.
func indent(s, prefix string) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range ls {
		if l != "" {
			ls[i] = prefix + l
		}
	}
	return strings.Join(ls, "\n")
}

// Public keys are checked for their form; nothing that is not a public key
// is ever shown in a message.
func TestPublicKeyRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		key    string
		want   string // the start of the one problem; "" for none
		secret string // text that must not appear in any message
	}{
		{"age recipient", ageKey, "", ""},
		{"SSH key", sshKey, "", ""},
		{"OpenPGP key", pgpKey, "", ""},
		{"OpenSSH private key", sshSecret, `public_key at t.yaml:4: this is a private key, which must never leave its owner`, "SECRET"},
		{"age identity", ageSecret, `public_key at t.yaml:4: this is a private key`, "SECRET"},
		{"OpenPGP private key", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBSECRET\n-----END PGP PRIVATE KEY BLOCK-----",
			`public_key at t.yaml:4: this is a private key`, "SECRET"},
		{"a fingerprint", "0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567",
			`public_key at t.yaml:4: is a key ID or fingerprint, not the key; give the key itself: gpg --armor --export ID`, "89AB"},
		{"something else", "hunter2-not-a-key",
			`public_key at t.yaml:4: is not a public key gatehouse can encrypt to; give an age recipient (age1…)`, "hunter2"},
		{"age recipient in capitals", strings.ToUpper(ageKey), `public_key at t.yaml:4: is not a public key`, "LR3J92"},
		{"SSH key without its type", strings.TrimPrefix(sshKey, "ssh-ed25519 "), `public_key at t.yaml:4: is not a public key`, "AAAAC3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := lines("delivery: {channel: file}", "people:", "  - email: a@example.com", "    public_key: |", indent(tt.key, "      "))
			_, err := Parse("t.yaml", []byte(src), Flags{})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected problems:\n%v", err)
				}
				return
			}
			assertProblems(t, err, []string{tt.want})
			if strings.Contains(err.Error(), tt.secret) {
				t.Fatalf("the message shows the value:\n%v", err)
			}
		})
	}
}

// Secrets written in a spec are refused with the environment variable to use,
// and never shown.
func TestSecretsInSpecRefused(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-value-0042"
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"smtp password", lines(
			"delivery:",
			"  channel: none",
			"  smtp:",
			"    addr: smtp.example.com:587",
			"    password: "+secret,
			"people: [a@example.com]"),
			`a secret in field "password" at t.yaml:5: a spec is shared and kept in version control, so it never holds ` +
				`secrets: remove this field, set GATEHOUSE_SMTP_PASSWORD in gatehouse's environment instead`},
		{"slack token", lines("delivery: {channel: none, slack: {token: "+secret+"}}", "people: [a@example.com]"),
			`a secret in field "token" at t.yaml:1: a spec is shared and kept in version control, so it never holds ` +
				`secrets: remove this field, set GATEHOUSE_SLACK_TOKEN in gatehouse's environment instead`},
		{"claim token", lines("delivery: {channel: none, claim: {Token: "+secret+"}}", "people: [a@example.com]"),
			`a secret in field "Token" at t.yaml:1: a spec is shared and kept in version control, so it never holds ` +
				`secrets: remove this field, set GATEHOUSE_CLAIM_TOKEN in gatehouse's environment instead`},
		{"smtp password on delivery", lines("delivery: {channel: none, smtp-password: "+secret+"}", "people: [a@example.com]"),
			`a secret in field "smtp-password" at t.yaml:1: a spec is shared and kept in version control, so it never holds ` +
				`secrets: remove this field, set GATEHOUSE_SMTP_PASSWORD`},
		{"in JSON", `{"delivery": {"channel": "none", "smtp": {"password": "` + secret + `"}},` + "\n" + `"people": ["a@example.com"]}`,
			`a secret in field "password" at t.yaml:1: a spec is shared`},
		{"a password elsewhere is just unknown", lines("delivery: {channel: none}", "people:", "  - {email: a@example.com, password: "+secret+"}"),
			`unknown field "password" at t.yaml:3: a person has the fields`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("t.yaml", []byte(tt.src), Flags{})
			assertProblems(t, err, []string{tt.want})
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("the message shows the secret:\n%v", err)
			}
		})
	}
}

// The channels' settings reach the Input as written, with their defaults
// filled in and their forms made regular.
func TestChannelSettingsBuild(t *testing.T) {
	t.Parallel()
	src := lines(
		"delivery:",
		"  channel: claim",
		"  from: it@example.com",
		"  smtp: {addr: \"smtp.example.com:465\", user: gatehouse, tls: TLS}",
		"  slack: {api_url: \"https://slack-proxy.example.com/api\"}",
		"  claim: {url: \"https://example.com/claims/\", via: Slack, ttl: 1d12h}",
		"  file: {dir: out/creds}",
		"people:",
		"  - a@example.com",
		"  - {email: b@example.com, deliver: file, public_key: \"  "+ageKey+"  \"}")
	in := mustParse(t, "t.yaml", src, Flags{})
	want := Delivery{
		Channel: ChannelClaim, From: "it@example.com", Language: LanguageEnglish,
		SMTP:  SMTP{Addr: "smtp.example.com:465", User: "gatehouse", TLS: TLSImplicit},
		Slack: Slack{APIURL: "https://slack-proxy.example.com/api/"},
		Claim: Claim{URL: "https://example.com/claims", Via: ChannelSlack, TTL: 36 * time.Hour},
		File:  File{Dir: "out/creds"},
	}
	if in.Delivery != want {
		t.Fatalf("delivery\n%+v\nwant\n%+v", in.Delivery, want)
	}
	if in.People[0].Deliver != ChannelClaim || in.People[0].PublicKey != "" {
		t.Fatalf("first person %+v", in.People[0])
	}
	if in.People[1].Deliver != ChannelFile || in.People[1].PublicKey != ageKey {
		t.Fatalf("second person delivered by %q to key %q", in.People[1].Deliver, in.People[1].PublicKey)
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"72h", 72 * time.Hour, true},
		{"3d", 72 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"0d90m", 90 * time.Minute, true},
		{"30d", MaxClaimTTL, true},
		{"99999d", 99999 * 24 * time.Hour, true},
		{"999999d", 0, false}, // more days than a duration holds
		{"3d-1h", 0, false},
		{"d", 0, false},
		{"3 d", 0, false},
		{"72", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseDuration(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
