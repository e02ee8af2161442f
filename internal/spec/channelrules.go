package spec

import (
	"net"
	"net/url"
	"strings"
	"time"
)

// The channels' rules: the form of their settings, checked whether or not a
// channel is used, and what each channel needs of the spec and of a person,
// checked for the channels someone is delivered by.

// smtpAddrRule is host:port with a port from 1 to 65535; an IPv6 address in
// brackets.
var smtpAddrRule = newRule("smtp addr",
	`^(\[[0-9A-Fa-f:.]+\]|[^\x00-\x20\x7f:/\[\]@]+):`+
		`([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$`,
	"write host:port, e.g. smtp.example.com:587 (starttls) or smtp.example.com:465 (tls); "+
		"an IPv6 address goes in brackets, [2001:db8::1]:587")

// baseURL describes a setting that holds the base address of an HTTP API.
type baseURL struct {
	what    string // "claim url"
	example string
	adds    string // what gatehouse adds to it, which a query or fragment would break
	risk    string // what plain http would expose
}

var (
	slackAPIURL = baseURL{what: "slack api_url", example: DefaultSlackAPIURL,
		adds: "gatehouse adds the Web API method's name to it", risk: "read the bot token"}
	claimURL = baseURL{what: "claim url", example: "https://claims.example.com",
		adds: "gatehouse adds the link's path, and its key as the #fragment", risk: "change the claim page and take the password"}
)

// validateChannelSettings checks the form of the channels' settings.
func validateChannelSettings(m deliveryDraft, probs *Problems) {
	smtpAddrRule.check(m.smtp.addr, probs)
	checkLine(m.smtp.user, "smtp user", 256, probs)
	checkEnum(m.smtp.tls, "smtp tls", TLSModes, probs)
	if strings.EqualFold(m.smtp.tls.V, TLSNone) && m.smtp.user.V != "" && !loopbackAddr(m.smtp.addr.V) {
		probs.add(m.smtp.tls.Pos, "smtp tls none with a user", "the password would cross the network "+
			"unencrypted: use starttls or tls (none is for a relay on this host, at localhost)")
	}
	slackAPIURL.check(m.slack.apiURL, probs)
	claimURL.check(m.claim.url, probs)
	checkEnum(m.claim.via, "claim via", ClaimVias, probs)
	if ttl := m.claim.ttl; ttl.Set && (ttl.V <= 0 || ttl.V > MaxClaimTTL) {
		probs.add(ttl.Pos, "claim ttl "+ttl.V.String(), "use more than 0 and at most 720h (30 days); "+
			"the default is 72h")
	}
	if m.file.dir.Set && m.file.dir.V == "" {
		probs.add(m.file.dir.Pos, "file dir", "name the directory the encrypted files go to, e.g. "+DefaultFileDir)
	}
	checkLine(m.file.dir, "file dir", 4096, probs)
}

// check reports a value that is not an absolute http(s) address without a
// query or fragment; plain http only for this host. A value with an @ may
// hold a password, so it is not shown.
func (b baseURL) check(v val[string], probs *Problems) {
	if !v.Set {
		return
	}
	shown := b.what + " " + quote(v.V)
	if strings.Contains(v.V, "@") {
		shown = b.what
	}
	u, err := url.Parse(v.V)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "" || (u.Scheme != "https" && u.Scheme != "http"):
		probs.add(v.Pos, shown, "write an absolute https:// address, e.g. "+b.example)
	case u.User != nil:
		probs.add(v.Pos, shown, "it holds a user name or password, which a spec must not: remove them")
	case u.RawQuery != "" || u.ForceQuery || strings.Contains(v.V, "#"):
		probs.add(v.Pos, shown, "remove the ?query and #fragment: "+b.adds)
	case u.Scheme == "http" && !loopbackHost(u.Hostname()):
		probs.add(v.Pos, shown, "use https: over plain http anyone on the way could "+b.risk+
			" (http is for this host only: localhost, 127.0.0.1, [::1])")
	}
}

// loopbackAddr reports whether host:port names this host.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && loopbackHost(host)
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// claimVia is the channel that carries claim links.
func claimVia(s *draft) string { return strings.ToLower(first(s.delivery.claim.via, ChannelSES)) }

// validateChannelNeeds checks that the spec (or the flags) gives what the
// channels in use need: one problem per missing setting, naming the channels
// that need it.
func validateChannelNeeds(s *draft, used map[string]bool, probs *Problems) {
	pos := Pos{File: s.peoplePos.File}
	var needFrom, needServer []string
	viaSES := used[ChannelClaim] && claimVia(s) == ChannelSES
	viaSMTP := used[ChannelClaim] && claimVia(s) == ChannelSMTP
	if used[ChannelSES] {
		needFrom = append(needFrom, ChannelSES)
	}
	if used[ChannelSMTP] {
		needFrom = append(needFrom, ChannelSMTP)
		needServer = append(needServer, ChannelSMTP)
	}
	if viaSES {
		needFrom = append(needFrom, "claim (via ses)")
	}
	if viaSMTP {
		needFrom = append(needFrom, "claim (via smtp)")
		needServer = append(needServer, "claim (via smtp)")
	}
	if len(needFrom) > 0 && s.delivery.from.V == "" {
		fix := "it needs a sender address: set delivery.from in the spec, or pass --from"
		if used[ChannelSES] || viaSES {
			fix += ", with an address or domain SES has verified"
		}
		probs.add(pos, "delivery by "+strings.Join(needFrom, " and "), fix+" (or --deliver none)")
	}
	if len(needServer) > 0 && s.delivery.smtp.addr.V == "" {
		probs.add(pos, "delivery by "+strings.Join(needServer, " and "), "it needs the mail server: "+
			"set delivery.smtp.addr in the spec (host:port, e.g. smtp.example.com:587), or pass --smtp-addr")
	}
	if used[ChannelClaim] && s.delivery.claim.url.V == "" {
		probs.add(pos, "delivery by claim", "it needs the public address of gatehouse serve for the links: "+
			"set delivery.claim.url in the spec (e.g. https://claims.example.com), or pass --claim-url")
	}
}

// checkPersonChannel checks that the channel that delivers to p can reach
// them: by e-mail address, or with their public key.
func checkPersonChannel(s *draft, p *personDraft, probs *Problems) {
	who := "person " + quote(p.label())
	ch := channelOf(s, p)
	if s.identityCenter() && (ch == ChannelClaim || ch == ChannelFile) {
		return // refused once where it is chosen (validateWelcomeChannels)
	}
	switch ch {
	case ChannelSES, ChannelSMTP, ChannelSlack, ChannelClaim:
		if p.email.V != "" {
			return
		}
		how := ch + " cannot deliver to them"
		if ch == ChannelSlack {
			how = "slack cannot find them (it looks people up by e-mail address)"
		}
		probs.add(p.pos, who, "has no e-mail address, so "+how+": add an email, or set deliver: none for them")
	case ChannelFile:
		if !p.publicKey.Set && !p.publicKeyFile.Set {
			probs.add(p.pos, who, "has no public key, so file cannot encrypt their credentials: "+keyFix(s.format))
		}
	}
}

// keyFix says how to give a person's public key in an input's format.
func keyFix(format string) string {
	switch format {
	case FormatCSV:
		return "add a public_key (or public_key_file) column, or a deliver column with another channel for them"
	case FormatYAML, FormatJSON:
		return "add public_key or public_key_file for this person, or set deliver: to another channel for them"
	}
	return "this input cannot carry public keys; list the people in a spec with public_key, or choose another --deliver"
}

// ttlOr is the claim TTL, or def when none was given.
func ttlOr(v val[time.Duration], def time.Duration) time.Duration {
	if v.Set {
		return v.V
	}
	return def
}
