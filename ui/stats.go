package ui

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// uiStats measures what a person feels: when training progress first
// reaches the screen, and how long the UI goroutine takes from a drag event
// to the new digit handed to the renderer (the frame that shows it follows
// within one refresh interval).
type uiStats struct {
	mu            sync.Mutex
	launched      time.Time
	firstProgress time.Duration
	drags         []time.Duration
}

func newUIStats(launched time.Time) *uiStats { return &uiStats{launched: launched} }

// progressShown records the first tick that shows a training step.
func (s *uiStats) progressShown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.firstProgress == 0 {
		s.firstProgress = time.Since(s.launched)
	}
}

// drag records the handling time of one drag event.
func (s *uiStats) drag(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.drags) < 1<<20 {
		s.drags = append(s.drags, d)
	}
}

// report writes the figures.
func (s *uiStats) report(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(w, "latentlab: first training progress on screen %.2fs after launch\n", s.firstProgress.Seconds())
	if len(s.drags) == 0 {
		return
	}
	d := slices.Clone(s.drags)
	slices.Sort(d)
	q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	fmt.Fprintf(w, "latentlab: drag event to new digit: %d drags, p50 %v, p99 %v, max %v\n", len(d), q(0.5), q(0.99), d[len(d)-1])
}
