package slacktest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxText is the longest message text chat.postMessage accepts.
const maxText = 40000

// readParams collects a request's arguments as Slack does: the query string,
// then a form or JSON body. The token comes from the Authorization header
// or, for query and form arguments only, a token argument; Slack ignores a
// token inside a JSON body. A JSON body without charset=utf-8 earns the
// missing_charset warning.
func readParams(r *http.Request, call *Call) (params map[string]string, token, code string) {
	params = map[string]string{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	if r.Method == http.MethodPost && r.ContentLength != 0 {
		mediaType, mparams, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch {
		case err != nil:
			return nil, "", "invalid_form_data"
		case mediaType == "application/x-www-form-urlencoded":
			if err := r.ParseForm(); err != nil {
				return nil, "", "invalid_form_data"
			}
			for k, v := range r.PostForm {
				params[k] = v[0]
			}
		case mediaType == "application/json":
			if !strings.EqualFold(mparams["charset"], "utf-8") {
				call.Warnings = append(call.Warnings, "missing_charset")
			}
			var body map[string]any
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				return nil, "", "invalid_json"
			}
			for k, v := range body {
				if k != "token" {
					params[k] = jsonString(v)
				}
			}
		default:
			return nil, "", "invalid_form_data"
		}
	}
	token = params["token"]
	delete(params, "token")
	if auth := r.Header.Get("Authorization"); auth != "" {
		token, _ = strings.CutPrefix(auth, "Bearer ")
	}
	return params, token, ""
}

// jsonString is a JSON argument as Slack reads it into a string.
func jsonString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) authTest(map[string]string) reply {
	return ok(map[string]any{
		"url": "https://gatehouse-test.slack.com/", "team": TeamName, "user": "gatehouse",
		"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID, "is_enterprise_install": false,
	})
}

func (s *Server) lookupByEmail(params map[string]string) reply {
	email := params["email"]
	if email == "" {
		return fail("invalid_arguments", "[ERROR] missing required field: email")
	}
	id, found := s.members[strings.ToLower(email)]
	if !found {
		return fail("users_not_found")
	}
	name, _, _ := strings.Cut(email, "@")
	return ok(map[string]any{"user": map[string]any{
		"id": id, "team_id": TeamID, "name": name, "deleted": false, "real_name": name,
		"is_bot": false, "is_admin": false, "tz": "Asia/Tokyo",
		"profile": map[string]any{"email": s.emails[id], "real_name": name, "display_name": name},
	}})
}

func (s *Server) conversationsOpen(params map[string]string) reply {
	users, channel := params["users"], params["channel"]
	s.mu.Lock()
	defer s.mu.Unlock()
	if users == "" {
		if channel == "" {
			return fail("users_list_not_supplied")
		}
		if _, found := s.dmUsers[channel]; !found {
			return fail("channel_not_found")
		}
		return ok(map[string]any{"no_op": true, "already_open": true, "channel": map[string]any{"id": channel}})
	}
	ids := strings.Split(users, ",")
	if len(ids) > 1 {
		return fail("invalid_arguments", "[ERROR] slacktest opens 1:1 direct messages only")
	}
	id := strings.TrimSpace(ids[0])
	if _, found := s.emails[id]; !found {
		return fail("user_not_found")
	}
	dm, already := s.dms[id]
	if !already {
		dm = fmt.Sprintf("D%08d", len(s.dms)+1)
		s.dms[id], s.dmUsers[dm] = dm, id
	}
	return ok(map[string]any{"no_op": already, "already_open": already, "channel": map[string]any{"id": dm}})
}

func (s *Server) postMessage(params map[string]string) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	channel, text := params["channel"], params["text"]
	user, found := s.dmUsers[channel]
	switch {
	case !found:
		// Unlike Slack, a user ID is not a channel here: a client that
		// skips conversations.open is caught.
		return fail("channel_not_found")
	case text == "" && params["blocks"] == "" && params["attachments"] == "":
		return fail("no_text")
	case utf8.RuneCountInString(text) > maxText:
		return fail("msg_too_long")
	}
	s.seq++
	ts := fmt.Sprintf("1700000000.%06d", s.seq)
	rest := map[string]string{}
	for k, v := range params {
		if k != "channel" && k != "text" {
			rest[k] = v
		}
	}
	s.messages = append(s.messages, Message{Channel: channel, User: user, Text: text, TS: ts, Params: rest})
	return ok(map[string]any{"channel": channel, "ts": ts, "message": map[string]any{
		"type": "message", "text": text, "user": BotUserID, "bot_id": BotID, "team": TeamID, "ts": ts,
	}})
}
