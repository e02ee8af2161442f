package sqs

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// queueName is SQS's rule for standard queue names.
var queueName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// recently is how long SQS refuses a deleted queue's name and a second purge.
const recently = 60 * time.Second

// queueURL is the queue's URL as this client reaches the sandbox: the
// scheme and Host it used, then /ACCOUNT/NAME, so the URL works when the
// client sends it back (behind a port mapping too).
func queueURL(r *awsproto.Request, q *sqsstate.Queue) string {
	scheme := "http"
	if r.HTTP.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.HTTP.Host + "/" + q.Account + "/" + q.Name
}

// findQueue resolves a QueueUrl. Only the path (/ACCOUNT/NAME) counts, as a
// URL may name any host that reaches the sandbox; the region is the one the
// request is signed for. A queue of another account is refused, as SQS
// refuses it without a queue policy granting access.
func findQueue(r *awsproto.Request, rawURL *string) (*sqsstate.Queue, error) {
	if rawURL == nil {
		return nil, missingParameter("QueueUrl")
	}
	u, err := url.Parse(*rawURL)
	parts := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if err != nil || len(parts) != 2 || !state.IsAccountID(parts[0]) {
		return nil, sqsError("InvalidAddress", "InvalidAddress", "The address %s is not valid for this endpoint.", *rawURL)
	}
	return queueOf(r, parts[0], parts[1])
}

// queueOf finds the queue NAME of account in the request's region.
func queueOf(r *awsproto.Request, account, name string) (*sqsstate.Queue, error) {
	q, ok := sqsstate.Lookup(r.World, r.Region, account, name)
	switch {
	case !ok:
		return nil, queueDoesNotExist()
	case account != r.Caller.Account:
		e := awsproto.Errorf(http.StatusForbidden, "AccessDenied", "Access to the resource %s is denied.", queueURL(r, q))
		e.QueryCode = "AccessDenied"
		return nil, e
	}
	return q, nil
}

type createQueueInput struct {
	QueueName  *string
	Attributes map[string]string `query:"Attribute"`
	Tags       map[string]string `json:"tags" query:"Tag"`
}

type queueURLResult struct {
	QueueURL string `json:"QueueUrl" xml:"QueueUrl"`
}

func createQueue(r *awsproto.Request) (any, error) {
	var in createQueueInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.QueueName == nil {
		return nil, missingParameter("QueueName")
	}
	name := *in.QueueName
	if !queueName.MatchString(name) {
		return nil, invalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	attrs, err := checkAttributes(r.World, r.Region, r.Caller.Account, in.Attributes, true)
	if err != nil {
		return nil, err
	}
	a := sqsstate.Slot.Of(r.Account())
	if q, ok := a.Queues[r.Region][name]; ok {
		if err := sameAttributes(q, attrs); err != nil {
			return nil, err
		}
		return queueURLResult{queueURL(r, q)}, nil
	}
	if at, ok := a.Deleted[r.Region][name]; ok && time.Since(at) < recently {
		return nil, sqsError("QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently",
			"You must wait 60 seconds after deleting a queue before you can create another with the same name.")
	}
	q := addQueue(a, r.Caller.Account, r.Region, name, in.Tags)
	for k, v := range attrs {
		setAttribute(q, k, v)
	}
	return queueURLResult{queueURL(r, q)}, nil
}

// addQueue adds an empty queue with the default attributes.
func addQueue(a *sqsstate.Account, account, region, name string, tags map[string]string) *sqsstate.Queue {
	now := state.Now()
	q := &sqsstate.Queue{Name: name, Account: account, Region: region, Created: now, Modified: now,
		Attributes: defaultAttributes(), Tags: tags, Messages: []*sqsstate.Message{}}
	if a.Queues[region] == nil {
		a.Queues[region] = map[string]*sqsstate.Queue{}
	}
	a.Queues[region][name] = q
	return q
}

// sameAttributes allows CreateQueue of an existing queue only when every
// attribute given has the value the queue has.
func sameAttributes(q *sqsstate.Queue, attrs map[string]string) error {
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if q.Attributes[k] != normalAttribute(k, attrs[k]) {
			return sqsError("QueueNameExists", "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute %s", k)
		}
	}
	return nil
}

type getQueueURLInput struct {
	QueueName              *string
	QueueOwnerAWSAccountID *string `json:"QueueOwnerAWSAccountId"`
}

func getQueueURL(r *awsproto.Request) (any, error) {
	var in getQueueURLInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.QueueName == nil {
		return nil, missingParameter("QueueName")
	}
	owner := r.Caller.Account
	if in.QueueOwnerAWSAccountID != nil {
		owner = *in.QueueOwnerAWSAccountID
	}
	q, err := queueOf(r, owner, *in.QueueName)
	if err != nil {
		return nil, err
	}
	return queueURLResult{queueURL(r, q)}, nil
}

type listQueuesInput struct {
	QueueNamePrefix *string
	NextToken       *string
	MaxResults      *int
}

type listQueuesResult struct {
	QueueURLs []string `json:"QueueUrls,omitempty" xml:"QueueUrl"`
	NextToken string   `json:",omitempty" xml:",omitempty"`
}

// listQueues lists the caller's queues in the region by name. Without
// MaxResults SQS returns up to 1,000 and no token.
func listQueues(r *awsproto.Request) (any, error) {
	var in listQueuesInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	limit, paged := 1000, in.MaxResults != nil
	if paged {
		if limit = *in.MaxResults; limit < 1 || limit > 1000 {
			return nil, invalidParameterValue("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", limit)
		}
	}
	after := ""
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err != nil {
			return nil, invalidParameterValue("Invalid NextToken value.")
		}
		after = string(b)
	}
	prefix := ""
	if in.QueueNamePrefix != nil {
		prefix = *in.QueueNamePrefix
	}
	var names []string
	for name := range sqsstate.Slot.Of(r.World.LookupAccount(r.Caller.Account)).Queues[r.Region] {
		if strings.HasPrefix(name, prefix) && name > after {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var out listQueuesResult
	if len(names) > limit {
		names = names[:limit]
		if paged {
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(names[limit-1]))
		}
	}
	a := sqsstate.Slot.Of(r.World.LookupAccount(r.Caller.Account))
	for _, name := range names {
		out.QueueURLs = append(out.QueueURLs, queueURL(r, a.Queues[r.Region][name]))
	}
	return out, nil
}

// queueOnly is the input of operations that take only the queue.
type queueOnly struct {
	QueueRef
}

func deleteQueue(r *awsproto.Request) (any, error) {
	var in queueOnly
	q, err := decodeQueue(r, &in)
	if err != nil {
		return nil, err
	}
	a := sqsstate.Slot.Of(r.Account())
	delete(a.Queues[r.Region], q.Name)
	if a.Deleted[r.Region] == nil {
		a.Deleted[r.Region] = map[string]time.Time{}
	}
	a.Deleted[r.Region][q.Name] = time.Now().UTC()
	sqsstate.Wake(r.World, q) // long polls on it end
	return nil, nil
}

func purgeQueue(r *awsproto.Request) (any, error) {
	var in queueOnly
	q, err := decodeQueue(r, &in)
	if err != nil {
		return nil, err
	}
	if time.Since(q.Purged) < recently {
		e := sqsError("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress",
			"Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.Name)
		e.Status = http.StatusForbidden
		return nil, e
	}
	q.Purged = time.Now().UTC()
	q.Messages = []*sqsstate.Message{}
	return nil, nil
}
