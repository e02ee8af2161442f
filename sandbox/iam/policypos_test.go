package iam

import "testing"

func TestStatementSpans(t *testing.T) {
	t.Parallel()
	// AWS reports AdministratorAccess (as it stores it) from 3:17 to 8:6, and a
	// one-line policy's first statement from just after its "[".
	admin := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	oneLine := `{"Version": "2012-10-17", "Statement": [{"Effect":"Allow","Action":"s3:*","Resource":"*"}, {"Effect":"Deny","Action":"s3:Delete*","Resource":["*"]}]}`
	single := `{"Id":"x","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"},"Version":"2012-10-17"}`
	for _, tc := range []struct {
		name string
		doc  string
		want []span
	}{
		{"pretty", admin, []span{{position{3, 17}, position{8, 6}}}},
		{"one line, two statements", oneLine, []span{{position{1, 41}, position{1, 90}}, {position{1, 91}, position{1, 148}}}},
		{"a single statement object", single, []span{{position{1, 23}, position{1, 73}}}},
		{"not a document", `[1]`, nil},
	} {
		got := statementSpans(tc.doc)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d spans %v, want %v", tc.name, len(got), got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: statement %d at %v, want %v", tc.name, i+1, got[i], tc.want[i])
			}
		}
	}
}
