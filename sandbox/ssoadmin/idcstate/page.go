package idcstate

import (
	"encoding/base64"
	"fmt"
	"sort"
)

// Both services page their lists the same way: NextToken is an opaque
// base64 of the first key of the next page, so a page is stable under
// additions and deletions elsewhere in the list.

// MaxResults is the largest page both services give, and the size of a
// page when a request names none.
const MaxResults = 100

// ReadPage returns where a page starts and its size from a request's
// NextToken and MaxResults (1 to 100), or the problem with them as the
// services' validation words it.
func ReadPage(token *string, max *int) (start string, size int, problem string) {
	size = MaxResults
	if max != nil {
		switch {
		case *max < 1:
			return "", 0, fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", *max)
		case *max > MaxResults:
			return "", 0, fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", *max, MaxResults)
		}
		size = *max
	}
	if token == nil || *token == "" {
		return "", size, ""
	}
	k, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil || len(k) == 0 {
		return "", 0, "The NextToken is not valid: pass the token a previous response returned."
	}
	return string(k), size, ""
}

// Page sorts items by key and returns size of them from start on, with the
// token of the next page ("" on the last).
func Page[T any](items []T, key func(T) string, start string, size int) ([]T, string) {
	sort.Slice(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	i := sort.Search(len(items), func(i int) bool { return key(items[i]) >= start })
	items = items[i:]
	if len(items) <= size {
		return items, ""
	}
	return items[:size], base64.RawURLEncoding.EncodeToString([]byte(key(items[size])))
}
