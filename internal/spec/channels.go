package spec

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The settings of the delivery channels under delivery: smtp, slack, claim
// and file. Their secrets are never read from a spec (see secretFields).

var smtpFields = fields[smtpDraft]{
	"addr": func(d *decoder, v *yaml.Node, m *smtpDraft) { m.addr = d.str(v, "smtp addr") },
	"user": func(d *decoder, v *yaml.Node, m *smtpDraft) { m.user = d.str(v, "smtp user") },
	"tls":  func(d *decoder, v *yaml.Node, m *smtpDraft) { m.tls = d.str(v, "smtp tls") },
}

var slackFields = fields[slackDraft]{
	"api_url": func(d *decoder, v *yaml.Node, m *slackDraft) { m.apiURL = d.str(v, "slack api_url") },
}

var claimFields = fields[claimDraft]{
	"url": func(d *decoder, v *yaml.Node, m *claimDraft) { m.url = d.str(v, "claim url") },
	"via": func(d *decoder, v *yaml.Node, m *claimDraft) { m.via = d.str(v, "claim via") },
	"ttl": func(d *decoder, v *yaml.Node, m *claimDraft) { m.ttl = d.duration(v, "claim ttl") },
}

var fileFields = fields[fileDraft]{
	"dir": func(d *decoder, v *yaml.Node, m *fileDraft) { m.dir = d.str(v, "file dir") },
}

// secretFields are the keys people reach for to put a channel's secret into a
// spec, by the mapping they would write them in, with the environment
// variable that holds the secret instead. They are refused with that advice;
// their values are never read, so no message can show them.
var secretFields = map[string]map[string]string{
	"smtp":     {"password": EnvSMTPPassword, "pass": EnvSMTPPassword, "passwd": EnvSMTPPassword, "smtp_password": EnvSMTPPassword},
	"slack":    {"token": EnvSlackToken, "bot_token": EnvSlackToken, "slack_token": EnvSlackToken},
	"claim":    {"token": EnvClaimToken, "api_token": EnvClaimToken, "claim_token": EnvClaimToken},
	"delivery": {"smtp_password": EnvSMTPPassword, "slack_token": EnvSlackToken, "claim_token": EnvClaimToken},
	"okta": {"secret": EnvOktaSecret, "hook_secret": EnvOktaSecret, "authorization": EnvOktaSecret,
		"token": EnvOktaToken, "api_token": EnvOktaToken, "okta_token": EnvOktaToken},
}

// refuseSecret reports a key of the mapping called what that would hold a
// secret, and whether it was one.
func (d *decoder) refuseSecret(k *yaml.Node, what string) bool {
	if k.Kind != yaml.ScalarNode {
		return false
	}
	key := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(k.Value)))
	env, ok := secretFields[what][key]
	if !ok {
		return false
	}
	d.probs.add(d.pos(k), "a secret in field "+quote(k.Value), "a spec is shared and kept in version "+
		"control, so it never holds secrets: remove this field, set "+env+" in gatehouse's environment "+
		"instead, and change the secret if this file has been shared")
	return true
}

// daysPrefix is a duration's whole days, which Go's durations do not have.
var daysPrefix = regexp.MustCompile(`^([0-9]{1,5})d(.*)$`)

// parseDuration reads a Go duration ("72h", "90m", "1h30m"), optionally
// starting with whole days ("3d", "1d12h").
func parseDuration(s string) (time.Duration, bool) {
	var days time.Duration
	if m := daysPrefix.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1]) // at most five digits: no overflow
		days, s = time.Duration(n)*24*time.Hour, m[2]
		if s == "" {
			return days, true
		}
		if s[0] == '-' || s[0] == '+' {
			return 0, false
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || (days > 0 && days+d < days) {
		return 0, false
	}
	return days + d, true
}

// duration reads a duration such as 72h or 3d.
func (d *decoder) duration(n *yaml.Node, what string) val[time.Duration] {
	s, ok := d.scalar(n, what)
	if !ok || !s.Set {
		return val[time.Duration]{}
	}
	v, ok := parseDuration(strings.TrimSpace(s.V))
	if !ok {
		d.probs.add(s.Pos, what+" "+quote(s.V), "write a duration like 72h, 90m or 3d (days, hours, minutes)")
		return val[time.Duration]{}
	}
	return setVal(v, s.Pos)
}
