package onboard

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/engine"
)

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := engine.NewSecret("Hunter2-Hunter2-Hunter2!")
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "password", s, "row", Row{Password: s})
	j, _ := json.Marshal(struct{ P engine.Secret }{s})
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x", s, s, s, s, s, s), fmt.Sprintf("%+v", Row{Password: s}),
		fmt.Sprintf("%#v", Row{Password: s}), logs.String(), string(j),
	} {
		if strings.Contains(out, "Hunter2") {
			t.Errorf("the secret shows: %s", out)
		}
	}
	if s.Reveal() != "Hunter2-Hunter2-Hunter2!" || (engine.Secret{}).String() != "" {
		t.Error("Reveal or the empty secret is wrong")
	}
}
