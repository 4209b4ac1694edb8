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
	encodes       []time.Duration // Draw: a stroke to the AE's and VAE's answers on screen
	slices        []time.Time     // Explore: when the fast lane put a slice through a moved point on screen
}

// sliced records a slice through a moved point put on the screen.
func (s *uiStats) sliced() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.slices) < 1<<20 {
		s.slices = append(s.slices, time.Now())
	}
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

// encode records the time from a stroke to the AE's and VAE's answers.
func (s *uiStats) encode(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.encodes) < 1<<20 {
		s.encodes = append(s.encodes, d)
	}
}

// report writes the figures.
func (s *uiStats) report(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(w, "latentlab: first training progress on screen %.2fs after launch\n", s.firstProgress.Seconds())
	for _, f := range []struct {
		what, unit string
		times      []time.Duration
	}{{"drag event to new digit", "drags", s.drags}, {"stroke to AE and VAE answers", "strokes", s.encodes}} {
		if len(f.times) == 0 {
			continue
		}
		d := slices.Clone(f.times)
		slices.Sort(d)
		q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
		fmt.Fprintf(w, "latentlab: %s: %d %s, p50 %v, p99 %v, max %v\n", f.what, len(d), f.unit, q(0.5), q(0.99), d[len(d)-1])
	}
	// The slices' rate while a point moves: the intervals between slices
	// less than half a second apart (a pause ends a burst).
	var gaps []time.Duration
	for i := 1; i < len(s.slices); i++ {
		if g := s.slices[i].Sub(s.slices[i-1]); g < time.Second/2 {
			gaps = append(gaps, g)
		}
	}
	if len(gaps) > 0 {
		slices.Sort(gaps)
		p50 := gaps[len(gaps)/2]
		fmt.Fprintf(w, "latentlab: pad slices through a moved point: %d, p50 interval %v (%.0f a second while it moves)\n",
			len(s.slices), p50, float64(time.Second)/float64(p50))
	}
}
