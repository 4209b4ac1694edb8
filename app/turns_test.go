package app

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Trainers that yield after each step take the turn in rotation: no two
// hold it at once, and each gets turns while the others want them too.
func TestTurns_GoRoundAndNeverOverlap(t *testing.T) {
	tu := newTurns(2*time.Millisecond, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var inside atomic.Int32
	var steps [3]atomic.Int64
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			h := tu.holder(ctx)
			h.acquire()
			defer h.release()
			for ctx.Err() == nil {
				if n := inside.Add(1); n != 1 {
					t.Errorf("%d trainers hold the turn at once", n)
				}
				time.Sleep(200 * time.Microsecond) // a training step
				inside.Add(-1)
				steps[i].Add(1)
				h.yield()
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	wg.Wait()
	for i := range steps {
		if n := steps[i].Load(); n < 50 {
			t.Errorf("trainer %d took only %d steps in 300 ms of turns", i, n)
		}
	}
}

// A trainer waiting for its turn stops waiting when it is paused, and
// releasing a turn it never got does not hand out a second token.
func TestTurns_WaitEndsWithTheContext(t *testing.T) {
	tu := newTurns(time.Hour, 1)
	owner := tu.holder(context.Background())
	owner.acquire()
	ctx, cancel := context.WithCancel(context.Background())
	waiter := tu.holder(ctx)
	got := make(chan bool)
	go func() {
		waiter.acquire()
		waiter.release()
		got <- waiter.held
	}()
	select {
	case <-got:
		t.Fatal("acquired a turn that another trainer holds")
	case <-time.After(20 * time.Millisecond):
	}
	cancel()
	select {
	case held := <-got:
		if held {
			t.Error("holds the turn after its context ended")
		}
	case <-time.After(time.Second):
		t.Fatal("still waiting after its context ended")
	}
	owner.release()
	if len(tu.token) != 1 {
		t.Errorf("%d tokens after all releases, want 1", len(tu.token))
	}
}
