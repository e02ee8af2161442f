package ses

import (
	"encoding/json"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

type contentJSON struct {
	Data    string
	Charset *string
}

type destinationJSON struct {
	ToAddresses  []string
	CcAddresses  []string
	BccAddresses []string
}

type simpleJSON struct {
	Subject *contentJSON
	Body    *struct {
		Text *contentJSON
		Html *contentJSON
	}
	Headers     []header
	Attachments json.RawMessage
}

type sendEmailRequest struct {
	FromEmailAddress                          *string
	FromEmailAddressIdentityArn               *string
	Destination                               *destinationJSON
	ReplyToAddresses                          []string
	FeedbackForwardingEmailAddress            *string
	FeedbackForwardingEmailAddressIdentityArn *string
	Content                                   *struct {
		Simple   *simpleJSON
		Raw      *struct{ Data []byte } // base64 in JSON, decoded by encoding/json
		Template json.RawMessage
	}
	EmailTags             []struct{ Name, Value string }
	ConfigurationSetName  *string
	EndpointId            *string
	TenantName            *string
	ListManagementOptions json.RawMessage
}

type sendEmailResponse struct {
	MessageId string
}

func sendEmailV2(r *awsproto.Request) (any, error) {
	var in sendEmailRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	if err := checkV2Request(in); err != nil {
		return nil, err
	}
	dest := destinationJSON{}
	if in.Destination != nil {
		dest = *in.Destination
	}
	from := deref(in.FromEmailAddress)
	var (
		id  string
		err error
	)
	if raw := in.Content.Raw; raw != nil {
		id, err = v2.sendRaw(r, "SendEmail", from, append(append(append([]string{}, dest.ToAddresses...), dest.CcAddresses...), dest.BccAddresses...), raw.Data)
	} else {
		id, err = v2.sendSimple(r, simpleFromJSON(in.Content.Simple, from, dest, in.ReplyToAddresses))
	}
	if err != nil {
		return nil, err
	}
	return sendEmailResponse{MessageId: id}, nil
}

// checkV2Request checks the content choice and what the sandbox cannot honour:
// templates, attachments, configuration sets, contact lists.
func checkV2Request(in sendEmailRequest) error {
	c := in.Content
	switch {
	case c == nil:
		return badRequest("Content is required.")
	case len(c.Template) > 0:
		return badRequest("The sandbox does not support template content; send Simple or Raw content.")
	case c.Simple == nil && c.Raw == nil:
		return badRequest("Content must hold Simple, Raw or Template content.")
	case c.Simple != nil && c.Raw != nil:
		return badRequest("Content must hold exactly one of Simple, Raw or Template.")
	case in.ConfigurationSetName != nil:
		return notFound("Configuration set %s does not exist.", *in.ConfigurationSetName)
	case len(in.ListManagementOptions) > 0:
		return notFound("The sandbox has no contact lists.")
	}
	if s := c.Simple; s != nil {
		if err := checkSimple(s, in.FromEmailAddress); err != nil {
			return err
		}
	}
	var tags [][2]string
	for _, t := range in.EmailTags {
		tags = append(tags, [2]string{t.Name, t.Value})
	}
	return v2.checkMessageTags(tags)
}

func checkSimple(s *simpleJSON, from *string) error {
	switch {
	case from == nil:
		return badRequest("FromEmailAddress is required for Simple content.")
	case s.Subject == nil:
		return badRequest("Simple content requires a Subject.")
	case s.Body == nil:
		return badRequest("Simple content requires a Body.")
	case len(s.Attachments) > 0 && string(s.Attachments) != "[]":
		return badRequest("The sandbox does not support attachments in Simple content; send Raw content.")
	case len(s.Headers) > 15:
		return badRequest("A message may carry at most 15 headers.")
	}
	for _, h := range s.Headers {
		if !validHeaderName(h.Name) || len(h.Value) > 995 || len(h.Name)+len(h.Value) > 996 {
			return badRequest("Invalid message header %q.", h.Name)
		}
	}
	return nil
}

func validHeaderName(name string) bool {
	if name == "" || len(name) > 126 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

func simpleFromJSON(s *simpleJSON, from string, dest destinationJSON, replyTo []string) simpleMail {
	m := simpleMail{
		action: "SendEmail", source: from, subject: s.Subject.Data, extra: s.Headers,
		to: dest.ToAddresses, cc: dest.CcAddresses, bcc: dest.BccAddresses, replyTo: replyTo,
	}
	if s.Body.Text != nil {
		m.text = s.Body.Text.Data
	}
	if s.Body.Html != nil {
		m.html = s.Body.Html.Data
	}
	return m
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
