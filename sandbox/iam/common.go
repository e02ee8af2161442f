package iam

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Constraints from the IAM service model (service-2.json shapes).
var (
	userNameRule         = awsproto.NewRule(1, 64, `[\w+=,.@-]+`)
	existingUserNameRule = awsproto.NewRule(1, 128, `[\w+=,.@-]+`)
	groupNameRule        = awsproto.NewRule(1, 128, `[\w+=,.@-]+`)
	roleNameRule         = awsproto.NewRule(1, 64, `[\w+=,.@-]+`)
	policyNameRule       = awsproto.NewRule(1, 128, `[\w+=,.@-]+`)
	pathRule             = awsproto.NewRule(1, 512, `(\x{002F})|(\x{002F}[\x{0021}-\x{007E}]+\x{002F})`)
	pathPrefixRule       = awsproto.NewRule(1, 512, `\x{002F}[\x{0021}-\x{007F}]*`)
	markerRule           = awsproto.NewRule(1, 320, `[\x{0020}-\x{00FF}]+`)
	arnRule              = awsproto.NewRule(20, 2048, "")
	tagKeyRule           = awsproto.NewRule(1, 128, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
	tagValueRule         = awsproto.NewRule(0, 256, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
)

// IAM's errors, with the codes and HTTP statuses of the service model.

func noSuchEntity(format string, args ...any) error {
	return awsproto.Errorf(http.StatusNotFound, "NoSuchEntity", format, args...)
}

func entityAlreadyExists(format string, args ...any) error {
	return awsproto.Errorf(http.StatusConflict, "EntityAlreadyExists", format, args...)
}

func deleteConflict(format string, args ...any) error {
	return awsproto.Errorf(http.StatusConflict, "DeleteConflict", format, args...)
}

func limitExceeded(format string, args ...any) error {
	return awsproto.Errorf(http.StatusConflict, "LimitExceeded", format, args...)
}

func invalidInput(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidInput", format, args...)
}

func malformedPolicy(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "MalformedPolicyDocument", format, args...)
}

func userARN(account string, u *iamstate.User) string {
	return fmt.Sprintf("arn:aws:iam::%s:user%s%s", account, u.Path, u.Name)
}

// findUser returns the user or IAM's NoSuchEntity error.
func findUser(a iamAccount, name string) (*iamstate.User, error) {
	u, ok := a.Users.Get(name)
	if !ok {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, nil
}

// page is a Marker/MaxItems request.
type page struct {
	start string // first key to return ("" from the beginning)
	max   int
}

// readPage reads Marker and MaxItems (default 100, 1..1000).
func readPage(p awsproto.Params, v *awsproto.Validator) page {
	pg := page{max: 100}
	if m := v.Optional(p, "Marker", markerRule); m != "" {
		key, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil {
			v.Addf("Value '%s' at 'marker' failed to satisfy constraint: Member must be a marker returned by a previous call", m)
		}
		pg.start = string(key)
	}
	if n, ok, err := p.Int("MaxItems"); err != nil {
		v.Addf("Value '%s' at 'maxItems' failed to satisfy constraint: Member must be a number", p.Get("MaxItems"))
	} else if ok {
		if n < 1 {
			v.Addf("Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", n)
		} else if n > 1000 {
			v.Addf("Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000", n)
		}
		pg.max = n
	}
	return pg
}

// pageResult is the pagination part of a list response.
type pageResult struct {
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// paginateIndex walks an index from the page's start, keeping entries that pass
// keep, and stops after max of them.
func paginateIndex[T any](idx *state.Index[T], pg page, keep func(*T) bool) ([]*T, pageResult) {
	var out []*T
	var res pageResult
	idx.Each(pg.start, func(key string, v *T) bool {
		if keep != nil && !keep(v) {
			return true
		}
		if len(out) == pg.max {
			res.IsTruncated, res.Marker = true, base64.RawURLEncoding.EncodeToString([]byte(key))
			return false
		}
		out = append(out, v)
		return true
	})
	return out, res
}

// paginateSlice pages through items already in a stable order; the marker is the
// key of the next item.
func paginateSlice[T any](items []T, key func(T) string, pg page) ([]T, pageResult) {
	start := 0
	if pg.start != "" {
		start = len(items)
		for i, it := range items {
			if key(it) >= pg.start {
				start = i
				break
			}
		}
	}
	items = items[start:]
	if len(items) <= pg.max {
		return items, pageResult{}
	}
	return items[:pg.max], pageResult{IsTruncated: true, Marker: base64.RawURLEncoding.EncodeToString([]byte(key(items[pg.max])))}
}

// xmlTag is a Tag in Query XML.
type xmlTag struct {
	Key   string
	Value string
}

func tagsXML(tags []state.Tag) []xmlTag {
	out := make([]xmlTag, len(tags))
	for i, t := range tags {
		out[i] = xmlTag{t.Key, t.Value}
	}
	return out
}

// readTags reads Tags.member.N.{Key,Value}, checking IAM's tag rules.
func readTags(p awsproto.Params, v *awsproto.Validator, field string) []state.Tag {
	var tags []state.Tag
	seen := map[string]bool{}
	for i, m := range p.Structs(field) {
		// IAM's Tag requires both members: a tag without its value is refused, not stored empty.
		key, hasKey := m["Key"]
		value, hasValue := m["Value"]
		for _, member := range []struct {
			name string
			has  bool
		}{{"key", hasKey}, {"value", hasValue}} {
			if !member.has {
				v.Addf("Value null at '%s.%d.member.%s' failed to satisfy constraint: Member must not be null", strings.ToLower(field[:1])+field[1:], i+1, member.name)
			}
		}
		if !hasKey || !hasValue {
			continue
		}
		v.Check(fmt.Sprintf("%s.%d.member.key", field, i+1), key, tagKeyRule)
		v.Check(fmt.Sprintf("%s.%d.member.value", field, i+1), value, tagValueRule)
		if seen[strings.ToLower(key)] {
			v.Addf("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[strings.ToLower(key)] = true
		tags = append(tags, state.Tag{Key: key, Value: value})
	}
	if len(tags) > 50 {
		v.Addf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to 50", strings.ToLower(field[:1])+field[1:])
	}
	return tags
}

// mergeTags adds or replaces tags by case-insensitive key, as TagUser does.
func mergeTags(existing, add []state.Tag) []state.Tag {
	for _, t := range add {
		replaced := false
		for i := range existing {
			if strings.EqualFold(existing[i].Key, t.Key) {
				existing[i] = t
				replaced = true
				break
			}
		}
		if !replaced {
			existing = append(existing, t)
		}
	}
	return existing
}

// optionalTime renders a zero time as absent.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// members is a Query XML list (<member> items). encoding/xml writes the parent of
// an `a>member` path even for an empty slice, so optional lists use *members with
// omitempty, built by optionalList, and are left out when empty, as AWS does.
type members[T any] struct {
	Member []T `xml:"member"`
}

func optionalList[T any](items []T) *members[T] {
	if len(items) == 0 {
		return nil
	}
	return &members[T]{items}
}
