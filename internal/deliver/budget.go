package deliver

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"math"
	"strings"
	"text/template/parse"
	"time"
)

// A template override is a program: "{{range 2000000000}}x{{end}}" in a
// subject took the process down out of memory while it was being checked,
// and Go's runtime ends such a crash with exit code 2, the code that means
// "bad input, nothing changed". So every template renders within a budget,
// and what would exceed it is refused with a message that says why:
//
//   - before it runs, a template is refused when a number in it is larger
//     than maxTemplateNumber, when it calls itself, or when an upper bound
//     of the work it may do (loops multiplied out) exceeds maxTemplateWork;
//   - the functions that make strings (printf, print, println, html, js,
//     urlquery) refuse to make one longer than maxFunctionOutput, so a loop
//     cannot double a string until memory runs out;
//   - while it runs, its output stops at maxSubjectBytes or maxBodyBytes,
//     and at renderTimeout (checked as it writes; a loop that writes nothing
//     is bounded by the work check above).
//
// A runtime fatal error (out of memory) cannot be recovered in Go and still
// exits 2; these limits are what keep a template from causing one.
const (
	maxSubjectBytes   = 998       // a mail header line's limit (RFC 5322)
	maxBodyBytes      = 256 << 10 // far beyond any message, far below trouble
	maxFunctionOutput = 16 << 10
	// maxTemplateNumber bounds every number written in a template, and so
	// every loop over a number; a loop over anything else (a string, a
	// length) runs at most maxFunctionOutput times.
	maxTemplateNumber = 10_000
	maxTemplateWork   = 1_000_000
	renderTimeout     = 2 * time.Second
)

// Errors of the render budget.
var (
	errTooLong = errors.New("too long")
	errTooSlow = errors.New("too slow")
)

// budgetWriter collects one part's output up to max bytes and until deadline.
type budgetWriter struct {
	b        strings.Builder
	max      int
	deadline time.Time
}

func (w *budgetWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > w.max {
		return 0, errTooLong
	}
	if time.Now().After(w.deadline) {
		return 0, errTooSlow
	}
	return w.b.Write(p)
}

// budgetFuncs replace the built-in functions that make strings with ones
// that refuse to make long ones.
var budgetFuncs = map[string]any{
	"printf": func(format string, args ...any) (string, error) {
		if err := checkFormat(format, args); err != nil {
			return "", err
		}
		return bounded("printf", fmt.Sprintf(format, args...))
	},
	"print":    func(args ...any) (string, error) { return bounded("print", fmt.Sprint(args...)) },
	"println":  func(args ...any) (string, error) { return bounded("println", fmt.Sprintln(args...)) },
	"html":     func(args ...any) (string, error) { return bounded("html", htmltemplate.HTMLEscaper(args...)) },
	"js":       func(args ...any) (string, error) { return bounded("js", htmltemplate.JSEscaper(args...)) },
	"urlquery": func(args ...any) (string, error) { return bounded("urlquery", htmltemplate.URLQueryEscaper(args...)) },
}

// bounded refuses s when it is longer than maxFunctionOutput. The arguments
// of these functions are themselves bounded, so s is never huge.
func bounded(fn, s string) (string, error) {
	if len(s) > maxFunctionOutput {
		return "", fmt.Errorf("%s would make more than %d bytes", fn, maxFunctionOutput)
	}
	return s, nil
}

// checkFormat refuses a printf format whose widths or precisions (written,
// or taken from the arguments with *) could make a huge string before
// bounded sees it: "%0999999999d" is a gigabyte.
func checkFormat(format string, args []any) error {
	widest := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		// Flags, argument indexes, width and precision, up to the verb.
		n := 0
		for i++; i < len(format) && strings.IndexByte("0123456789.*+-# []", format[i]) >= 0; i++ {
			switch c := format[i]; {
			case c >= '0' && c <= '9':
				n = min(n*10+int(c-'0'), math.MaxInt32)
				widest = max(widest, n)
			case c == '*':
				widest = max(widest, largestInt(args))
			default:
				n = 0
			}
		}
	}
	if widest > maxFunctionOutput {
		return fmt.Errorf("printf would make more than %d bytes (a width or precision of %d is larger than that)", maxFunctionOutput, widest)
	}
	return nil
}

// largestInt is the largest magnitude among args' integers.
func largestInt(args []any) int {
	largest := 0
	for _, a := range args {
		var v int64
		switch a := a.(type) {
		case int:
			v = int64(a)
		case int64:
			v = a
		default:
			continue
		}
		if v < 0 {
			v = -v
		}
		largest = max(largest, int(min(v, math.MaxInt32)))
	}
	return largest
}

// checkWork refuses a template (with the templates it defines, trees by
// name) whose numbers, recursion or work exceed the budget. name is the
// template as messages call it.
func checkWork(name string, trees map[string]*parse.Tree) error {
	w := &workCounter{trees: trees, done: map[string]int{}, busy: map[string]bool{}}
	work, err := w.tree(name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if work > maxTemplateWork {
		return fmt.Errorf("%s may take more than %d steps to render (loops inside loops?); a message template must stay below that", name, maxTemplateWork)
	}
	return nil
}

// workCounter computes an upper bound of the steps a template takes: one
// per node, a loop's body times its iterations, a call the callee's work.
// Sums saturate above maxTemplateWork.
type workCounter struct {
	trees map[string]*parse.Tree
	done  map[string]int
	busy  map[string]bool
}

func (w *workCounter) tree(name string) (int, error) {
	if n, ok := w.done[name]; ok {
		return n, nil
	}
	t := w.trees[name]
	if t == nil || t.Root == nil {
		return 1, nil // an undefined template fails when executed, at once
	}
	if w.busy[name] {
		return 0, fmt.Errorf("template %q calls itself, which a message template may not", name)
	}
	w.busy[name] = true
	n, err := w.node(t.Root)
	w.busy[name] = false
	w.done[name] = n
	return n, err
}

func (w *workCounter) node(node parse.Node) (int, error) {
	var (
		parts []parse.Node
		times = 1
	)
	switch n := node.(type) {
	case nil:
		return 0, nil
	case *parse.ListNode:
		if n == nil {
			return 0, nil
		}
		parts = n.Nodes
	case *parse.ActionNode:
		parts = []parse.Node{n.Pipe}
	case *parse.IfNode:
		parts = []parse.Node{n.Pipe, n.List, n.ElseList}
	case *parse.WithNode:
		parts = []parse.Node{n.Pipe, n.List, n.ElseList}
	case *parse.RangeNode:
		iterations, err := w.iterations(n.Pipe)
		if err != nil {
			return 0, err
		}
		body, err := w.node(n.List)
		if err != nil {
			return 0, err
		}
		rest, err := w.sum(n.Pipe, n.ElseList)
		return add(mul(iterations, body+1), rest), err
	case *parse.TemplateNode:
		callee, err := w.tree(n.Name)
		if err != nil {
			return 0, err
		}
		args, err := w.node(n.Pipe)
		return add(callee, args), err
	case *parse.PipeNode:
		if n == nil {
			return 0, nil
		}
		for _, d := range n.Decl {
			parts = append(parts, d)
		}
		for _, c := range n.Cmds {
			parts = append(parts, c)
		}
	case *parse.CommandNode:
		parts = n.Args
	case *parse.ChainNode:
		parts = []parse.Node{n.Node}
	case *parse.NumberNode:
		if err := checkNumber(n); err != nil {
			return 0, err
		}
	case *parse.IdentifierNode:
		if _, ok := budgetFuncs[n.Ident]; ok {
			times = maxFunctionOutput / 1024 // a string function's work grows with what it makes
		}
	}
	sum, err := w.sum(parts...)
	return add(sum, times), err
}

func (w *workCounter) sum(nodes ...parse.Node) (int, error) {
	total := 0
	for _, n := range nodes {
		if isNilNode(n) {
			continue
		}
		work, err := w.node(n)
		if err != nil {
			return 0, err
		}
		total = add(total, work)
	}
	return total, nil
}

// iterations bounds how often a range over pipe runs: the number itself,
// MaxBatch for .Credentials, else maxFunctionOutput (strings and lengths
// are no longer than that).
func (w *workCounter) iterations(pipe *parse.PipeNode) (int, error) {
	if rangesOverCredentials(pipe) {
		return MaxBatch, nil
	}
	if pipe != nil && len(pipe.Cmds) == 1 && len(pipe.Cmds[0].Args) == 1 {
		if n, ok := pipe.Cmds[0].Args[0].(*parse.NumberNode); ok {
			if err := checkNumber(n); err != nil {
				return 0, err
			}
			if n.IsInt {
				return max(0, int(n.Int64)), nil
			}
		}
	}
	return maxFunctionOutput, nil
}

// checkNumber refuses a number larger than maxTemplateNumber.
func checkNumber(n *parse.NumberNode) error {
	big := (n.IsInt && (n.Int64 > maxTemplateNumber || n.Int64 < -maxTemplateNumber)) ||
		(n.IsUint && n.Uint64 > maxTemplateNumber) ||
		(n.IsFloat && math.Abs(n.Float64) > maxTemplateNumber) || n.IsComplex
	if big {
		return fmt.Errorf("the number %s is larger than %d, the most a message template may count to", n.Text, maxTemplateNumber)
	}
	return nil
}

// isNilNode is true for a nil interface and for the typed nil lists and
// pipes the parser leaves where an else or a pipeline is missing.
func isNilNode(n parse.Node) bool {
	switch n := n.(type) {
	case nil:
		return true
	case *parse.ListNode:
		return n == nil
	case *parse.PipeNode:
		return n == nil
	}
	return false
}

func add(a, b int) int { return min(a+b, maxTemplateWork+1) }

func mul(a, b int) int {
	if a != 0 && b > (maxTemplateWork+1)/a {
		return maxTemplateWork + 1
	}
	return min(a*b, maxTemplateWork+1)
}
