package shell

import "testing"

func TestLine(t *testing.T) {
	t.Parallel()
	got := Line([]string{"gatehouse", "onboard", "--file=team one.yaml", "--from=IT <it@example.com>", "a@example.com", "it's", ""})
	want := `gatehouse onboard '--file=team one.yaml' '--from=IT <it@example.com>' a@example.com 'it'\''s' ''`
	if got != want {
		t.Errorf("Line = %s, want %s", got, want)
	}
}
