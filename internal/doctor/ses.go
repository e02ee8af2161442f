package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/report"
	"github.com/gatehouse/gatehouse/internal/shell"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// sesAPI is what checking SES calls.
type sesAPI interface {
	GetEmailIdentity(ctx context.Context, in *sesv2.GetEmailIdentityInput, optFns ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error)
	GetAccount(ctx context.Context, in *sesv2.GetAccountInput, optFns ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error)
	ListEmailIdentities(ctx context.Context, in *sesv2.ListEmailIdentitiesInput, optFns ...func(*sesv2.Options)) (*sesv2.ListEmailIdentitiesOutput, error)
}

var _ sesAPI = (*sesv2.Client)(nil)

// mailboxSimulator is SES's test domain, which the sending sandbox always
// lets mail through to.
const mailboxSimulator = "simulator.amazonses.com"

// sesPeople returns the people SES carries a message to (directly, or a
// claim link), and whether SES is in use at all: with nobody named, when
// --deliver asks for it.
func (c *checker) sesPeople() ([]spec.Person, bool) {
	viaSES := func(channel string) bool {
		return channel == spec.ChannelSES || (channel == spec.ChannelClaim && c.in.Delivery.Claim.Via == spec.ChannelSES)
	}
	var out []spec.Person
	for _, p := range c.in.People {
		if viaSES(p.Deliver) {
			out = append(out, p)
		}
	}
	return out, len(out) > 0 || (len(c.in.People) == 0 && viaSES(c.in.Delivery.Channel))
}

// ses checks SES in gatehouse's account and region, which sends the
// messages: the sender, the sending sandbox and the quota.
func (c *checker) ses(ctx context.Context) []Finding {
	people, used := c.sesPeople()
	if !used {
		return nil
	}
	ses := sesv2.NewFromConfig(c.deps.AWS.Base())
	region := c.deps.AWS.Base().Region
	out := []Finding{c.sender(ctx, ses, region)}
	acct, err := ses.GetAccount(ctx, &sesv2.GetAccountInput{})
	if err != nil {
		return append(out, Finding{Check: CheckSESSandbox, Severity: Warning,
			Message: fmt.Sprintf("SES's account settings in %s could not be read (%s): whether it is in the sending sandbox "+
				"and its quota are unknown", region, says(err)),
			Fix: "allow ses:GetAccount: gatehouse policy --for doctor --part caller"})
	}
	if !acct.SendingEnabled {
		out = append(out, Finding{Check: CheckSESSandbox, Severity: Error,
			Message: fmt.Sprintf("sending is paused for the account in SES %s: no message would go out", region),
			Fix:     shell.Line([]string{"aws", "sesv2", "put-account-sending-attributes", "--sending-enabled", "--region", region}) + " (if AWS paused it, the SES console's reputation page says why)"})
	}
	if acct.ProductionAccessEnabled {
		out = append(out, Finding{Check: CheckSESSandbox, Severity: OK,
			Message: fmt.Sprintf("SES in %s has production access: it mails any recipient", region)})
	} else {
		out = append(out, c.sendingSandbox(ctx, ses, region, people))
	}
	if acct.SendQuota != nil {
		out = append(out, c.quota(region, acct.SendQuota, c.messages(people)))
	}
	return out
}

// sender checks that the sender's address, or its domain, is an identity
// SES has verified for sending in the region.
func (c *checker) sender(ctx context.Context, ses sesAPI, region string) Finding {
	f := Finding{Check: CheckSESSender}
	from := c.in.Delivery.From
	addr, err := mail.ParseAddress(from)
	if err != nil {
		f.Severity, f.Message = Error, fmt.Sprintf("the sender %q is not an e-mail address", from)
		f.Fix = "set delivery.from (--from) to an address SES has verified"
		return f
	}
	domain := addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]
	for _, id := range []string{addr.Address, domain} {
		out, err := ses.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(id)})
		var missing *types.NotFoundException
		switch {
		case errors.As(err, &missing):
			continue
		case err != nil:
			f.Severity = Warning
			f.Message = fmt.Sprintf("whether SES may send from %s in %s could not be read: %s", addr.Address, region, says(err))
			f.Fix = "allow ses:GetEmailIdentity: gatehouse policy --for doctor --part caller"
			return f
		case out.VerifiedForSendingStatus:
			f.Severity = OK
			f.Message = fmt.Sprintf("SES may send from %s in %s (identity %s is verified)", addr.Address, region, id)
			return f
		}
		f.Severity = Error
		f.Message = fmt.Sprintf("SES identity %s in %s is not verified for sending (status %s): no message from %s would go out",
			id, region, cmpOr(string(out.VerificationStatus), "not given"), addr.Address)
		f.Fix = "finish its verification — the link SES mailed to the address, or the DNS records of the domain (" +
			shell.Line([]string{"aws", "sesv2", "get-email-identity", "--email-identity", id, "--region", region}) +
			" lists them) — or choose a verified --from"
		return f
	}
	f.Severity = Error
	f.Message = fmt.Sprintf("neither %s nor its domain %s is an SES identity in %s: no message would go out", addr.Address, domain, region)
	f.Fix = shell.Line([]string{"aws", "sesv2", "create-email-identity", "--email-identity", addr.Address, "--region", region}) +
		" and open the link SES mails there (or verify the domain " + domain + "), or choose a verified --from; check AWS_REGION (--region) too"
	return f
}

// sendingSandbox checks the recipients of an account in SES's sending
// sandbox, which mails only verified addresses and domains.
func (c *checker) sendingSandbox(ctx context.Context, ses sesAPI, region string, people []spec.Person) Finding {
	f := Finding{Check: CheckSESSandbox}
	production := shell.Line([]string{"aws", "sesv2", "put-account-details", "--production-access-enabled", "--mail-type",
		"TRANSACTIONAL", "--website-url", "https://www.example.com", "--use-case-description",
		"Account sign-in details for new colleagues", "--region", region})
	verified, err := verifiedIdentities(ctx, ses)
	if err != nil {
		f.Severity = Warning
		f.Message = fmt.Sprintf("SES in %s is in the sending sandbox, which mails only verified recipients, and its identities "+
			"could not be listed: %s", region, says(err))
		f.Fix = "request production access: " + production
		return f
	}
	var unverified []string
	seen := map[string]bool{}
	for _, p := range people {
		key := strings.ToLower(p.Email)
		if seen[key] || recipientVerified(verified, p.Email) {
			continue
		}
		seen[key] = true
		unverified = append(unverified, p.Email+" ("+p.Pos.String()+")")
	}
	if len(unverified) == 0 {
		f.Severity = Warning
		f.Message = fmt.Sprintf("SES in %s is in the sending sandbox: it mails only verified recipients; all %s are, "+
			"but everyone onboarded later must be verified first", region, report.Plural(len(people), "recipient", "recipients"))
		f.Fix = "request production access: " + production
		return f
	}
	f.Severity = Error
	f.Message = fmt.Sprintf("SES in %s is in the sending sandbox, which mails only verified recipients, and %s not: %s",
		region, report.Plural(len(unverified), "recipient is", "recipients are"), strings.Join(unverified, ", "))
	f.Fix = "request production access (" + production + "), or verify each recipient: " +
		shell.Line([]string{"aws", "sesv2", "create-email-identity", "--email-identity", "ADDRESS", "--region", region})
	return f
}

// verifiedIdentities lists the identities SES has verified, lower-cased.
func verifiedIdentities(ctx context.Context, ses sesAPI) (map[string]bool, error) {
	out := map[string]bool{}
	pages := sesv2.NewListEmailIdentitiesPaginator(ses, &sesv2.ListEmailIdentitiesInput{PageSize: aws.Int32(1000)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing SES identities: %w", awsx.Classify(err))
		}
		for _, id := range page.EmailIdentities {
			if id.VerificationStatus == types.VerificationStatusSuccess {
				out[strings.ToLower(aws.ToString(id.IdentityName))] = true
			}
		}
	}
	return out, nil
}

// recipientVerified reports whether the sending sandbox lets mail reach
// address: it, its domain or a parent domain is verified, or it is SES's
// mailbox simulator.
func recipientVerified(verified map[string]bool, address string) bool {
	addr := strings.ToLower(address)
	if verified[addr] {
		return true
	}
	domain := addr[strings.LastIndexByte(addr, '@')+1:]
	if domain == mailboxSimulator {
		return true
	}
	for domain != "" {
		if verified[domain] {
			return true
		}
		_, domain, _ = strings.Cut(domain, ".")
	}
	return false
}

// messages is how many messages a run sends through SES at most: one per
// person, or one per person and account with per_account (people already
// onboarded get none).
func (c *checker) messages(people []spec.Person) int {
	if !c.in.Delivery.PerAccount {
		return len(people)
	}
	n := 0
	for _, p := range people {
		for _, a := range c.accounts {
			if len(p.Accounts) == 0 || slices.Contains(p.Accounts, a.ID) {
				n++
			}
		}
	}
	return n
}

// quota compares SES's 24-hour quota with the messages a run sends.
func (c *checker) quota(region string, q *types.SendQuota, need int) Finding {
	f := Finding{Check: CheckSESQuota}
	increase := "ask for a higher sending quota in the Service Quotas console (Amazon SES, Sending quota) in " + region
	left := q.Max24HourSend - q.SentLast24Hours
	unlimited := q.Max24HourSend < 0
	switch {
	case !unlimited && left <= 0:
		f.Severity, f.Fix = Error, "wait for the 24-hour window to move on, or "+increase
		f.Message = fmt.Sprintf("SES in %s has sent %s messages in the last 24 hours, its whole quota of %s: no message would go out",
			region, num(q.SentLast24Hours), num(q.Max24HourSend))
	case !unlimited && float64(need) > left:
		f.Severity, f.Fix = Warning, "onboard in batches across days, or "+increase
		f.Message = fmt.Sprintf("a run sends up to %d messages through SES in %s, and %s of its 24-hour quota of %s are left "+
			"(people already onboarded get none): the rest would fail until the window moves on", need, region, num(left), num(q.Max24HourSend))
	default:
		f.Severity = OK
		quota := fmt.Sprintf("%s of %s sent in the last 24 hours", num(q.SentLast24Hours), num(q.Max24HourSend))
		if unlimited {
			quota = "no 24-hour limit"
		}
		f.Message = fmt.Sprintf("SES quota in %s: %s; a run sends up to %d; at most %s a second, which gatehouse paces itself to",
			region, quota, need, num(q.MaxSendRate))
	}
	return f
}

// num writes a quota as SES counts it, without an exponent.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
