package deliver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/gatehouse/gatehouse/internal/spec"
)

const (
	slackDefaultAPIURL = "https://slack.com/api/"
	// slackScopes are the bot token scopes the three methods need, as a
	// person adds them on the app's OAuth & Permissions page.
	slackScopes       = "users:read.email, im:write and chat:write"
	slackTokenHint    = "set GATEHOUSE_SLACK_TOKEN to the bot token (xoxb-…) of a Slack app installed in the workspace"
	slackAttempts     = 5                // per call, when Slack answers HTTP 429
	slackMaxWait      = time.Minute      // a longer Retry-After fails the call (retryable) instead
	slackSetupTimeout = 15 * time.Second // auth.test at setup
	slackHTTPTimeout  = 30 * time.Second // per request, when Deps.HTTPClient is nil
	slackMaxAnswer    = 1 << 20
)

// slackChannel sends the credential as a direct message from a Slack app's
// bot: users.lookupByEmail finds the person, conversations.open opens the
// direct message, chat.postMessage posts it. The message is Slack mrkdwn
// from templates/<lang>/slack.tmpl or, when Deps.Template.Text is set, from
// that override (Template.HTML is for mail and is not used). Both see the
// credential's fields with &, < and > escaped, as Slack requires, so a name
// cannot mention @channel or forge a link; an override's own text is sent
// as written. The channel holds no state between deliveries and is safe for
// concurrent use.
type slackChannel struct {
	client    *http.Client
	ownClient bool
	api       *url.URL // ends in "/"
	token     string
	lang      string
	sets      map[string]*templateSet // by language
}

func newSlack(deps Deps) (Channel, error) {
	s, err := setupSlack(deps)
	if err != nil {
		return nil, err // not a nil *slackChannel in a non-nil Channel
	}
	return s, nil
}

// setupSlack checks the token's form, the API URL and the templates, then
// asks Slack (auth.test) whether it accepts the token, so that a mistake is
// reported before any user is created.
func setupSlack(deps Deps) (*slackChannel, error) {
	const where = "setting up Slack delivery"
	token := deps.Slack.Token
	switch {
	case token == "":
		return nil, fmt.Errorf("%s: no Slack token; %s", where, slackTokenHint)
	case strings.ContainsFunc(token, unicode.IsSpace):
		return nil, fmt.Errorf("%s: the Slack token in GATEHOUSE_SLACK_TOKEN contains white space; set it to the bot token (xoxb-…) alone", where)
	}
	api, err := slackAPIURL(deps.Slack.APIURL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	s := &slackChannel{client: deps.HTTPClient, api: api, token: token, lang: deps.Language, sets: map[string]*templateSet{}}
	if s.client == nil {
		s.client, s.ownClient = &http.Client{Timeout: slackHTTPTimeout}, true
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			s.client.Transport = t.Clone() // so that Close closes only this channel's connections
		}
	}
	s.client = withoutRedirects(s.client)
	if s.lang == "" {
		s.lang = spec.LanguageEnglish
	}
	if !validLanguage(s.lang) {
		return nil, fmt.Errorf("%s: unknown template language %q: choose one of %s", where, s.lang, strings.Join(spec.Languages, ", "))
	}
	for _, lang := range spec.Languages {
		set, err := compileSlack(lang, deps.Template, deps.Subject)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		s.sets[lang] = set
		if err := checkSlack(set, deps.samples(lang)); err != nil { // an override's unknown field shows only when run
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), slackSetupTimeout)
	defer cancel()
	if err := s.call(ctx, "auth.test", nil, nil, &struct{}{}); err != nil {
		if !errors.As(err, new(*slackAPIError)) && !errors.As(err, new(*slackHTTPError)) {
			err = fmt.Errorf("%w; check the Slack API URL %s and the network", err, api)
		}
		err = s.explain(err, "")
		_ = s.Close()
		return nil, redact(fmt.Errorf("%s: checking the Slack token: %w", where, err), token)
	}
	return s, nil
}

// slackAPIURL is raw (default Slack's) as a base URL ending in "/". The token
// travels to it, so plain HTTP is only for a server on this machine.
func slackAPIURL(raw string) (*url.URL, error) {
	if raw == "" {
		raw = slackDefaultAPIURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("Slack API URL %q is not an http(s) address like %s", raw, slackDefaultAPIURL)
	}
	if u.Scheme == "http" {
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("Slack API URL %q is plain HTTP to another machine, which would expose the token: use https", raw)
		}
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// compileSlack is one language's Slack templates: the subject (the
// message's first line, and .Subject for overrides) and the message, for
// one account and, when they can, for several (see templateSet.list).
func compileSlack(lang string, tmpl spec.Template, subject string) (*templateSet, error) {
	one, err := compileSlackParts(lang, "", tmpl, subject)
	if err != nil {
		return nil, err
	}
	if one.welcome, err = compileSlackParts(lang, welcomePrefix, tmpl, subject); err != nil {
		return nil, err
	}
	if tmpl.Text != "" && !mentionsCredentials(one.text, nil) {
		return one, nil
	}
	if one.list, err = compileSlackParts(lang, listPrefix, tmpl, subject); err != nil {
		return nil, err
	}
	return one, nil
}

// compileSlackParts compiles the overrides and, for what they leave to the
// built-in templates, the built-in ones whose names begin with prefix.
func compileSlackParts(lang, prefix string, tmpl spec.Template, subject string) (*templateSet, error) {
	builtinName := "built-in " + lang + " " + strings.ReplaceAll(prefix, "-", " ")
	textName, text := textField, tmpl.Text
	if text == "" {
		textName, text = builtinName+"Slack", builtinPart(lang, prefix+"slack")
	}
	subjectName := subjectField
	if subject == "" {
		subjectName, subject = builtinName+"subject", builtinPart(lang, prefix+"subject")
	}
	var (
		set templateSet
		err error
	)
	if set.subject, err = parseText(subjectName, subject); err != nil {
		return nil, err
	}
	if set.text, err = parseText(textName, text); err != nil {
		return nil, err
	}
	return &set, nil
}

// checkSlack renders the sample credentials one by one and, where the set
// can carry several, all in one message.
func checkSlack(set *templateSet, samples []Credential) error {
	if _, err := renderSlack(set, samples[0]); err != nil {
		return err
	}
	if set.list == nil || len(samples) == 1 {
		return nil
	}
	_, err := renderSlack(set, samples...)
	return err
}

func (s *slackChannel) Name() string { return spec.ChannelSlack }

func (s *slackChannel) Close() error {
	if s.ownClient && s.client.Transport != nil {
		s.client.CloseIdleConnections()
	}
	return nil
}

// Deliver finds the person in the workspace by e-mail and sends them the
// message in their language (else the channel's) as a direct message.
func (s *slackChannel) Deliver(ctx context.Context, c Credential) (Receipt, error) {
	return s.message(ctx, []Credential{c})
}

// DeliverAll sends one person's credentials in one direct message that
// lists every account.
func (s *slackChannel) DeliverAll(ctx context.Context, cs []Credential) (Receipt, error) {
	if err := checkBatch(cs); err != nil {
		return Receipt{}, fmt.Errorf("sending sign-in details through Slack: %w", err)
	}
	return s.message(ctx, cs)
}

func (s *slackChannel) carriesSeveral() bool { return carriesSeveral(s.sets) }

// message renders cs's message and sends it to the person.
func (s *slackChannel) message(ctx context.Context, cs []Credential) (Receipt, error) {
	c := cs[0]
	where := fmt.Sprintf("sending sign-in details for %s to %s through Slack", who(cs), c.Email)
	fail := func(err error) (Receipt, error) {
		err = fmt.Errorf("%s: %w", where, err)
		for _, c := range cs {
			err = s.redact(err, c.Password)
		}
		return Receipt{}, err
	}
	if c.Email == "" {
		return fail(reject(errors.New("the person has no e-mail address to find them in Slack by")))
	}
	text, err := s.render(cs...)
	if err != nil {
		return fail(err)
	}
	var found struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if err := s.call(ctx, "users.lookupByEmail", url.Values{"email": {c.Email}}, nil, &found); err != nil {
		return fail(s.explain(err, c.Email))
	}
	var opened struct {
		Channel struct {
			ID string `json:"id"`
		} `json:"channel"`
	}
	if err := s.call(ctx, "conversations.open", nil, map[string]any{"users": found.User.ID}, &opened); err != nil {
		return fail(s.explain(err, c.Email))
	}
	var posted struct {
		Channel string `json:"channel"`
		TS      string `json:"ts"`
	}
	// No unfurling: Slack's servers have no business fetching a claim link.
	msg := map[string]any{"channel": opened.Channel.ID, "text": text, "mrkdwn": true, "unfurl_links": false, "unfurl_media": false}
	if err := s.call(ctx, "chat.postMessage", nil, msg, &posted); err != nil {
		return fail(s.explain(err, c.Email))
	}
	return Receipt{
		Channel:   spec.ChannelSlack,
		MessageID: posted.Channel + "/" + posted.TS,
		Detail:    fmt.Sprintf("Slack direct message to %s (%s)", c.Email, found.User.ID),
	}, nil
}

// render is the message text for cs, one person's credentials. A claim
// link replaces the passwords, whatever the template says.
func (s *slackChannel) render(cs ...Credential) (string, error) {
	lang := s.lang
	if len(cs) > 0 && cs[0].Language != "" {
		lang = cs[0].Language
	}
	set, ok := s.sets[lang]
	if !ok {
		return "", reject(fmt.Errorf("unknown template language %q: choose one of %s", lang, strings.Join(spec.Languages, ", ")))
	}
	return renderSlack(set, cs...)
}

// RenderSlack is the Slack message (mrkdwn) the slack channel would send c
// in lang with these overrides, for gatehouse template preview.
func RenderSlack(lang string, tmpl spec.Template, subject string, c Credential) (string, error) {
	return RenderSlackAll(lang, tmpl, subject, []Credential{c})
}

// RenderSlackAll is the one Slack message that carries cs, one person's
// credentials in several accounts, as RenderSlack renders one.
func RenderSlackAll(lang string, tmpl spec.Template, subject string, cs []Credential) (string, error) {
	if lang == "" {
		lang = spec.LanguageEnglish
	}
	if !validLanguage(lang) {
		return "", reject(fmt.Errorf("unknown template language %q: choose one of %s", lang, strings.Join(spec.Languages, ", ")))
	}
	set, err := compileSlack(lang, tmpl, subject)
	if err != nil {
		return "", err
	}
	return renderSlack(set, cs...)
}

// renderSlack renders cs with their fields escaped as Slack requires.
func renderSlack(set *templateSet, cs ...Credential) (string, error) {
	escaped := make([]Credential, len(cs))
	for i, c := range cs {
		if c.ClaimURL != "" {
			c.Password = ""
		}
		for _, f := range []*string{&c.Account, &c.AccountAlias, &c.UserName, &c.Email, &c.DisplayName, &c.Password, &c.SignInURL, &c.ClaimURL} {
			*f = mrkdwnEscape(*f)
		}
		escaped[i] = c
	}
	m, err := set.render(escaped...)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(m.Text) == "" {
		return "", reject(fmt.Errorf("rendering the %s template: the message is empty", set.bodyName()))
	}
	return m.Text, nil
}

// mrkdwnEscape escapes &, < and > as Slack's mrkdwn requires.
func mrkdwnEscape(v string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(v)
}

// redact removes the password (as written, as escaped for mrkdwn, as encoded
// in JSON) and the token from err.
func (s *slackChannel) redact(err error, password string) error {
	for _, secret := range []string{password, strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(password)} {
		b, _ := json.Marshal(secret)
		err = redact(redact(err, secret), strings.Trim(string(b), `"`))
	}
	return redact(err, s.token)
}
