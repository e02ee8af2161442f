package claim_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// The browser is started once, on first use, and every test opens its own
// tabs in it (tabs are safe to use in parallel).
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserCancel = func() {}
	browserDir    string
)

func stopBrowser() {
	browserCancel()
	if browserDir != "" {
		os.RemoveAll(browserDir)
	}
}

// requireBrowser skips (visibly) without Chromium, or fails when CI requires it.
func requireBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("GATEHOUSE_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("GATEHOUSE_REQUIRE_CHROMIUM=1 but %s is missing: apt-get install chromium", chromiumPath)
		}
		t.Skipf("SKIP: %s is missing (apt-get install chromium); the claim page is not tested in a browser", chromiumPath)
	}
	browserOnce.Do(func() {
		browserDir, browserErr = os.MkdirTemp("", "gatehouse-e2e-chromium-")
		if browserErr != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromiumPath),
			chromedp.NoSandbox, // Chromium refuses to run as root with its sandbox
			chromedp.UserDataDir(browserDir),
			chromedp.WindowSize(880, 860),
			chromedp.Flag("lang", "en-US"),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(allocCtx)
		browserCtx, browserCancel = ctx, func() { cancelCtx(); cancelAlloc() }
		browserErr = chromedp.Do(ctx) // starts the browser, with no timeout
	})
	if browserErr != nil {
		t.Fatalf("starting %s: %v", chromiumPath, browserErr)
	}
	return browserCtx
}

// tab is one browser tab of a test, collecting the page's script errors and
// Content-Security-Policy violations.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

func newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(requireBrowser(t))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	tb := &tab{t: t, ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		var problem string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			problem = "script exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				problem += " " + ev.ExceptionDetails.Exception.Description
			}
		case *log.EventEntryAdded:
			if ev.Entry.Source == log.EntrySourceSecurity || strings.Contains(ev.Entry.Text, "Content Security Policy") {
				problem = "security: " + ev.Entry.Text
			}
		}
		if problem != "" {
			tb.mu.Lock()
			tb.problems = append(tb.problems, problem)
			tb.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, p := range tb.problems {
			t.Errorf("the page reported %s", p)
		}
	})
	return tb
}

// run runs actions with a time limit.
func (tb *tab) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// open loads url afresh and returns the HTTP status of the page. It leaves
// the page first: a link that differs from the page in its fragment alone
// would not load the page again.
func (tb *tab) open(url string) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		tb.t.Fatalf("leaving the page: %v", err)
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil || resp == nil {
		tb.t.Fatalf("opening %s: %v (response %v)", url, err, resp)
	}
	return resp.Status
}

// follow runs actions that navigate (a click on a link) and returns the HTTP
// status of the page they load.
func (tb *tab) follow(what string, actions ...chromedp.Action[chromedp.Void]) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil || resp == nil {
		tb.t.Fatalf("%s: %v (response %v)", what, err, resp)
	}
	return resp.Status
}

// state is the page's data-state: what it shows (ready, revealed, claimed…).
func (tb *tab) state() string {
	tb.t.Helper()
	return eval[string](tb, `document.getElementById("claim").dataset.state`)
}

// waitState waits until the page is in state.
func (tb *tab) waitState(state string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	expr := fmt.Sprintf(`document.getElementById("claim").dataset.state === %q`, state)
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		tb.t.Fatalf("waiting for the page to be %s (it is %s): %v", state, tb.state(), err)
	}
}

// shown is the one problem box the page shows, and the text a reader sees in it.
func (tb *tab) shown() (id, text string) {
	tb.t.Helper()
	boxes := eval[[]string](tb, `[...document.querySelectorAll("section.problem")].filter(s => !s.hidden).map(s => s.id + "\n" + s.innerText)`)
	if len(boxes) != 1 {
		tb.t.Fatalf("the page shows %d problem boxes, want 1: %q", len(boxes), boxes)
	}
	id, text, _ = strings.Cut(boxes[0], "\n")
	return id, text
}

// visible says whether the element with id is rendered.
func (tb *tab) visible(id string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`(e => !!e && e.getClientRects().length > 0)(document.getElementById(%q))`, id))
}

// screenshot saves the page as docs/images/name when screenshots are updated.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	if !*updateScreenshots && os.Getenv("GATEHOUSE_UPDATE_SCREENSHOTS") != "1" {
		return
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("taking %s: %v", name, err)
	}
	path := filepath.Join("..", "..", "docs", "images", name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("wrote %s", path)
}
