package ses

import (
	"encoding/base64"
	"net/http"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

type sendResult struct {
	MessageID string `xml:"MessageId"`
}

func sendEmailV1(r *awsproto.Request) (any, error) {
	p := r.Params
	var v awsproto.Validator
	source := v.Required(p, "Source", awsproto.Rule{})
	subject := v.Required(p, "Message.Subject.Data", awsproto.Rule{})
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkV1Extras(p); err != nil {
		return nil, err
	}
	id, err := v1.sendSimple(r, simpleMail{
		action: "SendEmail", source: source,
		to: p.List("Destination.ToAddresses"), cc: p.List("Destination.CcAddresses"), bcc: p.List("Destination.BccAddresses"),
		replyTo: p.List("ReplyToAddresses"),
		subject: subject, text: p.Get("Message.Body.Text.Data"), html: p.Get("Message.Body.Html.Data"),
	})
	if err != nil {
		return nil, err
	}
	return sendResult{id}, nil
}

func sendRawEmailV1(r *awsproto.Request) (any, error) {
	p := r.Params
	var v awsproto.Validator
	encoded := v.Required(p, "RawMessage.Data", awsproto.Rule{})
	if err := v.Err(); err != nil {
		return nil, err
	}
	data, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, invalidParameterValue("RawMessage.Data must be base64-encoded.")
	}
	if err := checkV1Extras(p); err != nil {
		return nil, err
	}
	id, err := v1.sendRaw(r, "SendRawEmail", p.Get("Source"), p.List("Destinations"), data)
	if err != nil {
		return nil, err
	}
	return sendResult{id}, nil
}

// checkV1Extras checks the message tags and the configuration set: the sandbox
// has no configuration sets, so naming one fails as naming a missing one does.
func checkV1Extras(p awsproto.Params) error {
	var tags [][2]string
	for _, t := range p.Structs("Tags") {
		tags = append(tags, [2]string{t["Name"], t["Value"]})
	}
	if err := v1.checkMessageTags(tags); err != nil {
		return err
	}
	if name := p.Get("ConfigurationSetName"); name != "" {
		return awsproto.Errorf(http.StatusBadRequest, "ConfigurationSetDoesNotExist", "Configuration set <%s> does not exist.", name)
	}
	return nil
}
