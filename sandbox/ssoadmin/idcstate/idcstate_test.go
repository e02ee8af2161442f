package idcstate

import (
	"strings"
	"testing"
	"time"
)

func TestPagesFollowTheirTokens(t *testing.T) {
	t.Parallel()
	items := []string{"d", "a", "c", "b", "e"}
	var got []string
	token := ""
	for range 3 {
		start, size, problem := ReadPage(&token, ptr(2))
		if problem != "" {
			t.Fatal(problem)
		}
		var page []string
		page, token = Page(items, func(s string) string { return s }, start, size)
		got = append(got, page...)
		if token == "" {
			break
		}
	}
	if strings.Join(got, "") != "abcde" || token != "" {
		t.Errorf("pages = %v, last token %q", got, token)
	}
	for _, tc := range []struct {
		token string
		max   int
		want  string
	}{
		{"", 0, "greater than or equal to 1"},
		{"", 101, "less than or equal to 100"},
		{"%%%", 10, "NextToken is not valid"},
	} {
		if _, _, problem := ReadPage(&tc.token, &tc.max); !strings.Contains(problem, tc.want) {
			t.Errorf("ReadPage(%q, %d) = %q, want %q", tc.token, tc.max, problem, tc.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestQuotasPatchChangesWhatItNames(t *testing.T) {
	t.Parallel()
	q := QuotasPatch{MaxInProgress: ptr(3)}.Apply(DefaultQuotas())
	if q.MaxInProgress != 3 || q.RequestsPerSecond != DefaultRequestsPerSecond || q.AssignmentDelayMS != DefaultAssignmentDelayMS {
		t.Errorf("patched = %+v", q)
	}
	if p := (QuotasPatch{RequestsPerSecond: ptr(-1.0)}).Problem(); p == "" {
		t.Error("a negative rate is accepted")
	}
}

// An assignment exists from the moment its creation completes until its
// deletion does, and the operations report IN_PROGRESS until then.
func TestAssignmentsAppearWhenTheirOperationEnds(t *testing.T) {
	t.Parallel()
	in := (&World{Instances: map[string]*Instance{}}).NewInstance("111111111111", "", "", "", true)
	t0 := time.Now()
	target := Target{AccountID: "222222222222", PermissionSetARN: "ps", PrincipalType: "USER", PrincipalID: "u"}
	create := &Operation{RequestID: "c", Kind: Create, Target: target, Created: t0, Done: t0.Add(time.Second), Outcome: "SUCCEEDED"}
	in.Start(create)
	all := func(*Assignment) bool { return true }
	if len(in.VisibleAssignments(t0, all)) != 0 || create.Status(t0) != "IN_PROGRESS" || len(in.InProgress(t0)) != 1 {
		t.Error("the assignment exists before its creation completes")
	}
	t1 := t0.Add(time.Second)
	if len(in.VisibleAssignments(t1, all)) != 1 || create.Status(t1) != "SUCCEEDED" || len(in.InProgress(t1)) != 0 {
		t.Error("the assignment does not exist once its creation completed")
	}
	in.Start(&Operation{RequestID: "d", Kind: Delete, Target: target, Created: t1, Done: t1.Add(time.Second), Outcome: "SUCCEEDED"})
	t2 := t1.Add(time.Second)
	if len(in.VisibleAssignments(t1, all)) != 1 || len(in.VisibleAssignments(t2, all)) != 0 {
		t.Error("the assignment does not end when its deletion completes")
	}
	in.Settle(t2)
	if len(in.Assignments) != 0 {
		t.Error("Settle kept a deleted assignment")
	}
}
