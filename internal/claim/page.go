package claim

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

//go:embed web
var web embed.FS

// pageRenderer renders the claim page.
type pageRenderer struct {
	tmpl *template.Template
}

func newPageRenderer() (*pageRenderer, error) {
	t, err := template.New("page.html").Option("missingkey=error").ParseFS(web, "web/page.html")
	if err != nil {
		return nil, err
	}
	return &pageRenderer{tmpl: t}, nil
}

// pageData is what page.html sees.
type pageData struct {
	Lang    string
	T       *texts
	ID      string
	State   State
	Meta    Meta
	Expires timeView // ready: when the link stops working
	At      timeView // claimed, withdrawn, expired, too many attempts: when
}

// States only the page knows (data-state on the page's root).
const (
	stateTooMany  State = "too-many"
	stateNoKey    State = "no-key"
	stateBadKey   State = "bad-key"
	stateInsecure State = "insecure"
	stateError    State = "error"
)

// timeView is a time as the page shows it: machine-readable for <time>
// (claim.js shows it in the reader's time zone) and readable without script.
type timeView struct {
	ISO  string
	Text string
}

func viewTime(t time.Time) timeView {
	if t.IsZero() {
		return timeView{}
	}
	return timeView{ISO: t.UTC().Format(time.RFC3339), Text: t.UTC().Format("2006-01-02 15:04 UTC")}
}

// servePage is GET /c/{id}: the claim page in the state its claim is in.
// A page reveals nothing, so a claim that exists is shown to a client that
// has asked for unknown ones too often; only its own wrong keys on this
// claim make this client wait.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	now, addr := s.now(), s.clientAddr(r)
	id := r.PathValue("id")
	data := pageData{ID: id}
	st := Status{State: StateNotFound}
	if idPattern.MatchString(id) {
		var err error
		if st, err = s.store.Status(r.Context(), id, now); err != nil {
			s.logger.Error("reading a claim for its page", "id", id, "err", err)
			data.State = stateError
			s.renderPage(w, r, http.StatusInternalServerError, data)
			return
		}
	}
	var (
		wait    time.Duration
		blocked bool
	)
	switch st.State {
	case StateNotFound:
		var counted bool
		wait, counted = s.lookupFailures.take(limitKey{client: clientPrefix(addr)}, now)
		blocked = !counted
	case StateReady:
		wait, blocked = s.keyFailures.peek(limitKey{client: clientPrefix(addr), claim: id}, now)
	}
	if blocked {
		secs := retryAfter(wait)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		data.State, data.At = stateTooMany, viewTime(now.Add(time.Duration(secs)*time.Second))
		s.renderPage(w, r, http.StatusTooManyRequests, data)
		return
	}
	data.State, data.Meta, data.Expires, data.At = st.State, st.Meta, viewTime(st.Expires), viewTime(st.At)
	status := http.StatusOK
	switch st.State {
	case StateNotFound:
		status = http.StatusNotFound
	case StateClaimed, StateExpired, StateWithdrawn:
		status = http.StatusGone
	}
	s.renderPage(w, r, status, data)
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, data pageData) {
	data.Lang = pageLanguage(r, data.Meta.Language)
	data.T = textsByLanguage[data.Lang]
	var b bytes.Buffer
	if err := s.page.tmpl.Execute(&b, data); err != nil {
		s.logger.Error("rendering the claim page", "err", err)
		http.Error(w, "rendering the page failed; see the server's log", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", data.Lang)
	h.Set("Vary", "Accept-Language")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// pageLanguage is ?lang= when it names a language the page has, else the
// browser's first preference the page has (Accept-Language, by q-value),
// else the language the claim was made in, else English.
func pageLanguage(r *http.Request, claimLang string) string {
	if l := r.URL.Query().Get("lang"); textsByLanguage[l] != nil {
		return l
	}
	best, bestQ := "", 0.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if textsByLanguage[base] != nil && q > bestQ {
			best, bestQ = base, q
		}
	}
	switch {
	case best != "":
		return best
	case textsByLanguage[claimLang] != nil:
		return claimLang
	}
	return "en"
}

// serveStatic is GET /static/{file}: the page's script and style sheet.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	types := map[string]string{"claim.js": "text/javascript; charset=utf-8", "claim.css": "text/css; charset=utf-8"}
	name := r.PathValue("file")
	ct, ok := types[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := web.ReadFile("web/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(b)
}

// box is one problem box on the page.
type box struct {
	State                   State
	Title, Text, Warn, When string
	At                      timeView
	Shown                   bool
}

// Boxes are the page's problem boxes: the one for its state shown, the rest
// hidden for claim.js.
func (d pageData) Boxes() []box {
	t := d.T
	boxes := []box{
		{State: StateClaimed, Title: t.ClaimedTitle, Text: t.ClaimedText, Warn: t.ClaimedWarn, When: t.ClaimedWhen},
		{State: StateExpired, Title: t.ExpiredTitle, Text: t.ExpiredText, When: t.ExpiredWhen},
		{State: StateWithdrawn, Title: t.WithdrawnTitle, Text: t.WithdrawnText, When: t.WithdrawnWhen},
		{State: StateNotFound, Title: t.NotFoundTitle, Text: t.NotFoundText},
		{State: stateTooMany, Title: t.TooManyTitle, Text: t.TooManyText, When: t.TooManyWhen},
		{State: stateNoKey, Title: t.NoKeyTitle, Text: t.NoKeyText},
		{State: stateBadKey, Title: t.BadKeyTitle, Text: t.BadKeyText},
		{State: stateInsecure, Title: t.InsecureTitle, Text: t.InsecureText},
		{State: stateError, Title: t.ErrorTitle, Text: t.ErrorText},
	}
	for i := range boxes {
		if boxes[i].State == d.State {
			boxes[i].Shown, boxes[i].At = true, d.At
		}
	}
	return boxes
}
