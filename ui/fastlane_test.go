package ui

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The fast lane renders the next slice while the last one waits for the
// UI goroutine, and never hands over a second one before the first has
// run: with a UI goroutine that takes 50 ms to come round and renders of
// 20 ms, slices come every 50 ms, not every 70.
func TestFastLane_RendersAheadButNeverPilesUp(t *testing.T) {
	var mu sync.Mutex
	var queued []func()
	var waiting, maxWaiting int
	do := func(f func()) { // the UI goroutine's queue, served below
		mu.Lock()
		defer mu.Unlock()
		queued = append(queued, f)
		waiting++
		maxWaiting = max(maxWaiting, waiting)
	}
	b := &bridge{stop: make(chan struct{}), kicks: make(chan struct{}, 1)}
	var rendered, shown atomic.Int32
	var renderedWhileWaiting atomic.Bool
	b.startFastLane(do, func() func() {
		mu.Lock()
		if waiting > 0 {
			renderedWhileWaiting.Store(true)
		}
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		rendered.Add(1)
		return func() { shown.Add(1) }
	})
	defer b.Stop()

	handDone := make(chan struct{})
	defer close(handDone)
	go func() { // the hand keeps moving
		for {
			select {
			case <-handDone:
				return
			case <-time.After(5 * time.Millisecond):
				b.Kick()
			}
		}
	}()
	const rounds = 12
	start := time.Now()
	for shown.Load() < rounds {
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		fs := queued
		queued = nil
		waiting -= len(fs)
		mu.Unlock()
		for _, f := range fs {
			f()
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("%d slices shown after 10 s", shown.Load())
		}
	}
	mu.Lock()
	most := maxWaiting
	mu.Unlock()
	if most > 1 {
		t.Errorf("%d slices waited for the UI goroutine at once, want at most 1", most)
	}
	if !renderedWhileWaiting.Load() {
		t.Error("the lane never rendered while a slice waited for the UI goroutine")
	}
	if got := rendered.Load() - shown.Load(); got > 2 {
		t.Errorf("%d slices rendered and not shown", got)
	}
}
