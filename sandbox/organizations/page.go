package organizations

import (
	"encoding/base64"
	"sort"
)

const maxResults = 20

// page is a NextToken/MaxResults request.
type page struct {
	start string
	size  int
}

// readPage validates MaxResults (1..20, default 20) and decodes NextToken, an
// opaque base64 of the first key of the page.
func readPage(token *string, max *int) (page, error) {
	pg := page{size: maxResults}
	if max != nil {
		switch {
		case *max < 1:
			return pg, invalidInput("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", *max)
		case *max > maxResults:
			return pg, invalidInput("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", *max, maxResults)
		}
		pg.size = *max
	}
	if token != nil && *token != "" {
		key, err := base64.RawURLEncoding.DecodeString(*token)
		if err != nil || len(key) == 0 {
			return pg, invalidInput("The NextToken value is not valid: pass the token a previous response returned.")
		}
		pg.start = string(key)
	}
	return pg, nil
}

// paginate sorts items by key and returns the page starting at pg.start and the
// token of the next page ("" on the last page).
func paginate[T any](items []T, key func(T) string, pg page) ([]T, string) {
	sort.Slice(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	i := sort.Search(len(items), func(i int) bool { return key(items[i]) >= pg.start })
	items = items[i:]
	if len(items) <= pg.size {
		return items, ""
	}
	return items[:pg.size], base64.RawURLEncoding.EncodeToString([]byte(key(items[pg.size])))
}
