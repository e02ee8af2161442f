package awsproto

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// checkForm refuses the Query forms no SDK sends and the sandbox would
// otherwise have to guess at: a parameter given twice (two Actions — which
// one?; a presigned URL's parameter repeated in the body) and list or map
// members not numbered 1, 2, 3… (Tags.member.0, .-1, .x, .01, a gap). When
// several parameters are wrong, the first by name is reported.
func checkForm(values url.Values) error {
	var bad, why string
	report := func(name, reason string) {
		if bad == "" || name < bad {
			bad, why = name, reason
		}
	}
	lists := map[string]map[int]string{} // "Tags.member." → member number → a parameter naming it
	for name, vs := range values {
		if len(vs) > 1 {
			report(name, fmt.Sprintf("is given %d times; a Query request names each parameter once", len(vs)))
			continue
		}
		if reason := collectMembers(name, lists); reason != "" {
			report(name, reason)
		}
	}
	for list, members := range lists {
		for n := 1; n <= len(members); n++ {
			if _, ok := members[n]; !ok {
				report(highest(members), "leaves a gap: the members of "+list+" are numbered 1, 2, 3… without gaps")
				break
			}
		}
	}
	if bad == "" {
		return nil
	}
	return Errorf(http.StatusBadRequest, "MalformedQueryString", "the parameter '%s' %s", bad, why)
}

// collectMembers notes the member number of every list (".member.N") and map
// (".entry.N") the parameter name passes through, or says what is wrong.
func collectMembers(name string, lists map[string]map[int]string) string {
	for i := 0; i < len(name); {
		at, sep := nextMember(name[i:])
		if at < 0 {
			return ""
		}
		start := i + at + len(sep)
		end := strings.IndexByte(name[start:], '.')
		if end < 0 {
			end = len(name) - start
		}
		num := name[start : start+end]
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || num[0] == '0' || num[0] == '+' || len(num) > 6 {
			return fmt.Sprintf("numbers a member %q; list and map members are numbered 1, 2, 3…", num)
		}
		list := name[:start]
		if lists[list] == nil {
			lists[list] = map[int]string{}
		}
		lists[list][n] = name
		i = start + end
	}
	return ""
}

// nextMember finds the next ".member." or ".entry." in s.
func nextMember(s string) (int, string) {
	m, e := strings.Index(s, ".member."), strings.Index(s, ".entry.")
	switch {
	case m < 0 && e < 0:
		return -1, ""
	case e < 0 || (m >= 0 && m < e):
		return m, ".member."
	}
	return e, ".entry."
}

// highest is the parameter naming the highest-numbered member.
func highest(members map[int]string) string {
	top := 0
	for n := range members {
		top = max(top, n)
	}
	return members[top]
}
