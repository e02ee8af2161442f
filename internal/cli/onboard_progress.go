package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progressBar draws "onboarding [#####.....] 12/40" on one terminal line.
type progressBar struct {
	w     io.Writer
	label string
	mu    sync.Mutex
	drawn time.Time
	shown bool
}

const progressWidth = 30

func newProgressBar(w io.Writer, label string) *progressBar {
	return &progressBar{w: w, label: label}
}

// update redraws the bar, at most every 100 ms and always at the end.
func (p *progressBar) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < total && time.Since(p.drawn) < 100*time.Millisecond {
		return
	}
	p.drawn, p.shown = time.Now(), true
	filled := 0
	if total > 0 {
		filled = done * progressWidth / total
	}
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d", p.label, strings.Repeat("#", filled), strings.Repeat(".", progressWidth-filled), done, total)
}

// newProgress draws a bar on a terminal and points progress at it; nil
// elsewhere (finish on nil does nothing).
func newProgress(streams *IO, label string, progress *func(done, total int)) *progressBar {
	if !streams.IsTerminal {
		return nil
	}
	bar := newProgressBar(streams.Err, label)
	*progress = bar.update
	return bar
}

// finish clears the bar's line; a nil bar does nothing.
func (p *progressBar) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
