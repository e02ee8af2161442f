package spec

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestProblemString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Pos{File: "team.yaml", Line: 12}, `user name "a b"`, "fix it"}, `user name "a b" at team.yaml:12: fix it`},
		{Problem{Pos{Arg: 3}, `e-mail address "x"`, "fix it"}, `e-mail address "x" at argument 3: fix it`},
		{Problem{Pos{Flag: "--account"}, `account ID "1"`, "fix it"}, `account ID "1" from --account: fix it`},
		{Problem{Pos{File: "team.csv"}, "delivery by ses", "fix it"}, `delivery by ses in team.csv: fix it`},
		{Problem{Pos{File: "team.csv", Line: 2}, "", "not valid CSV"}, `team.csv:2: not valid CSV`},
		{Problem{Pos{}, "--all-accounts with --account", "choose one"}, `--all-accounts with --account: choose one`},
		{Problem{Pos{}, "", "no people"}, `no people`},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestProblemsError(t *testing.T) {
	t.Parallel()
	one := Problems{{Pos{File: "a", Line: 1}, "x", "y"}}
	if got := one.Error(); got != "x at a:1: y" {
		t.Errorf("one problem: %q", got)
	}
	two := Problems{{Pos{File: "a", Line: 1}, "x", "y"}, {Pos{File: "a", Line: 2}, "z", "w"}}
	if got, want := two.Error(), "2 problems in the input:\n  x at a:1: y\n  z at a:2: w"; got != want {
		t.Errorf("two problems:\n%s\nwant\n%s", got, want)
	}
	var buf bytes.Buffer
	if err := two.Render(&buf); err != nil || buf.String() != "x at a:1: y\nz at a:2: w\n" {
		t.Errorf("Render: %q, %v", buf.String(), err)
	}
	// The CLI finds Problems through wrapping, to exit with code 2.
	var ps Problems
	if !errors.As(fmt.Errorf("reading team.yaml: %w", two), &ps) || len(ps) != 2 {
		t.Errorf("errors.As through a wrap: %v", ps)
	}
}

func TestProblemsSorted(t *testing.T) {
	t.Parallel()
	ps := Problems{
		{Pos: Pos{File: "t", Line: 9}, Fix: "line 9"},
		{Pos: Pos{File: "t"}, Fix: "whole file"},
		{Pos: Pos{File: "t", Line: 2}, Fix: "line 2 first"},
		{Pos: Pos{Flag: "--x"}, Fix: "flag"},
		{Pos: Pos{File: "t", Line: 2}, Fix: "line 2 second"},
	}
	var got []string
	for _, p := range ps.sorted() {
		got = append(got, p.Fix)
	}
	want := []string{"flag", "line 2 first", "line 2 second", "line 9", "whole file"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("order %q, want %q", got, want)
	}
}

func TestErrorRenderFailure(t *testing.T) {
	t.Parallel()
	err := Problems{{Fix: "x"}}.Render(failingWriter{})
	if err == nil {
		t.Fatal("Render hid a write error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestClosest(t *testing.T) {
	t.Parallel()
	known := []string{"email", "user_name", "groups", "people", "ou"}
	for in, want := range map[string]string{
		"emial": "email", "Email": "email", "username": "user_name", "group": "groups",
		"poeple": "people", "id": "", "colour": "", "e": "",
	} {
		if got := closest(in, known); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}
