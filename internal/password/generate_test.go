package password

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// randomPolicy is any policy IAM accepts, or AWS's default one.
func randomPolicy(r *rand.Rand) Policy {
	if r.IntN(10) == 0 {
		return DefaultPolicy
	}
	return Policy{
		MinimumLength:    6 + r.IntN(MaxLength-6+1),
		RequireSymbols:   r.IntN(2) == 0,
		RequireNumbers:   r.IntN(2) == 0,
		RequireUppercase: r.IntN(2) == 0,
		RequireLowercase: r.IntN(2) == 0,
	}
}

func TestGenerateSatisfiesEveryPolicy(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	counts := map[rune]int{}
	for i := range 10_000 {
		p := randomPolicy(r)
		length := r.IntN(60)
		pw, err := Generate(p, length)
		if err != nil {
			t.Fatalf("Generate(%+v, %d): %v", p, length, err)
		}
		if want, _ := Length(p, length); len(pw) != want {
			t.Fatalf("Generate(%+v, %d) has %d characters, want %d", p, length, len(pw), want)
		}
		// Every password must pass the strictest policy of its length, not only p.
		strict := Policy{MinimumLength: len(pw), RequireSymbols: true, RequireNumbers: true, RequireUppercase: true, RequireLowercase: true}
		for _, q := range []Policy{p, strict, DefaultPolicy} {
			if v := Check(q, pw); len(v) > 0 {
				t.Fatalf("generation %d: Generate(%+v, %d) breaks %+v: %v", i, p, length, q, v)
			}
		}
		for _, c := range pw {
			counts[c]++
		}
	}
	checkDistribution(t, counts)
}

// checkDistribution asserts that every Alphabet character appears, nothing else
// does, and no character is far from the mean (the four forced characters per
// password skew the classes a little; a biased picker skews far more).
func checkDistribution(t *testing.T, counts map[rune]int) {
	t.Helper()
	total := 0
	for c, n := range counts {
		if !strings.ContainsRune(Alphabet, c) {
			t.Errorf("character %q (%d times) is not in the alphabet", c, n)
		}
		total += n
	}
	mean := float64(total) / float64(len(Alphabet))
	for _, c := range Alphabet {
		n := counts[c]
		if float64(n) < 0.5*mean || float64(n) > 1.5*mean {
			t.Errorf("character %q appears %d times; mean is %.0f", c, n, mean)
		}
	}
}

func TestGenerateUsesEveryPosition(t *testing.T) {
	t.Parallel()
	// The shuffle must move the forced characters: the symbol may land anywhere.
	seen := make([]bool, MinGeneratedLength)
	for range 2_000 {
		pw, err := Generate(Policy{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range pw {
			if strings.ContainsRune(Symbols, c) {
				seen[i] = true
			}
		}
	}
	for i, ok := range seen {
		if !ok {
			t.Errorf("no symbol ever at position %d in 2,000 passwords", i)
		}
	}
}

func TestGenerateLengths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p      Policy
		length int
		want   int
	}{
		{DefaultPolicy, 0, 20},
		{Policy{MinimumLength: 6}, 16, 20},
		{Policy{MinimumLength: 6}, 40, 40},
		{Policy{MinimumLength: 128, RequireSymbols: true, RequireNumbers: true, RequireUppercase: true, RequireLowercase: true}, 0, 128},
		{Policy{MinimumLength: 30}, 1000, 128},
	} {
		pw, err := Generate(tc.p, tc.length)
		if err != nil || len(pw) != tc.want {
			t.Errorf("Generate(%+v, %d) = %d characters, %v; want %d", tc.p, tc.length, len(pw), err, tc.want)
		}
	}
	if _, err := Generate(Policy{MinimumLength: 200}, 0); err == nil {
		t.Error("Generate with minimum 200 succeeded")
	}
}

func TestGenerateReportsRandomFailure(t *testing.T) {
	t.Parallel()
	boom := errors.New("entropy gone")
	if _, err := generate(iotest.ErrReader(boom), 20); !errors.Is(err, boom) {
		t.Fatalf("generate with a failing reader = %v, want %v", err, boom)
	}
}

func TestIntnRejectsBiasedBytes(t *testing.T) {
	t.Parallel()
	// For n = 82, bytes 246..255 would favour the first ten characters: they
	// must be skipped, not folded with modulo.
	data := bytes.Repeat([]byte{250, 255, 246, 81}, 32)
	src := &randSource{r: bytes.NewReader(data)}
	got, err := src.intn(82)
	if err != nil || got != 81 {
		t.Fatalf("intn(82) = %d, %v; want 81 after skipping 250, 255, 246", got, err)
	}
}

func BenchmarkGenerate(b *testing.B) {
	p := Policy{MinimumLength: 20, RequireSymbols: true, RequireNumbers: true, RequireUppercase: true, RequireLowercase: true}
	for _, length := range []int{20, 128} {
		b.Run(fmt.Sprintf("len%d", length), func(b *testing.B) {
			for b.Loop() {
				if _, err := Generate(p, length); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// No password starts with a character spreadsheets take for a formula
// (= + - @): the CSV report would have to alter it. The characters are
// all still there, so the policy still holds.
func TestNeverStartsWithAFormula(t *testing.T) {
	t.Parallel()
	for i := range 20000 {
		pw, err := Generate(Policy{MinimumLength: 20, RequireSymbols: true}, 20)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsRune(formulaStarts, rune(pw[0])) {
			t.Fatalf("password %d starts with %q", i, pw[0])
		}
	}
	b := []byte("=+-@aB3")
	safeStart(b)
	if string(b) != "a+-@=B3" {
		t.Errorf("safeStart = %q", b)
	}
}
