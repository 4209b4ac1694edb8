package app

import (
	"context"
	"time"
)

// turnSlice is how long a trainer keeps the cores before it lets the next
// one train.
const turnSlice = 100 * time.Millisecond

// turns lets no more of a Lab's trainers train at once than there are
// tokens (one per core), each for a slice before it lets a waiting one go.
// Three trainers at once on two cores each had a third of the cache for
// weights, moments and activations of about 20 MB a model; two at a time,
// in turn, went faster (make bench, in-app throughput: 0.69 of training
// them one after another with three at once, 0.76 with two). One trainer
// at a time with two OpenBLAS threads was far worse (0.29): a parallel
// product waits for its slowest thread, and in the app the window's
// goroutines keep taking one of the cores. A receive on a channel is
// served in arrival order, so turns go round.
type turns struct {
	token chan struct{}
	slice time.Duration
}

func newTurns(slice time.Duration, n int) *turns {
	t := &turns{token: make(chan struct{}, n), slice: slice}
	for range n {
		t.token <- struct{}{}
	}
	return t
}

// holder returns one training goroutine's handle on the turns.
func (t *turns) holder(ctx context.Context) *turnHolder {
	return &turnHolder{turns: t, ctx: ctx}
}

// turnHolder tracks whether one goroutine holds the turn. It is used by
// that goroutine only.
type turnHolder struct {
	turns *turns
	ctx   context.Context
	held  bool
	since time.Time
}

// acquire waits for the turn, or for the context to end (then the holder
// goes on without it, and the trainer stops at its next step).
func (h *turnHolder) acquire() {
	if h.held {
		return
	}
	select {
	case <-h.turns.token:
		h.held, h.since = true, time.Now()
	case <-h.ctx.Done():
	}
}

// release gives the turn to the next waiting trainer.
func (h *turnHolder) release() {
	if !h.held {
		return
	}
	h.held = false
	h.turns.token <- struct{}{}
}

// yield lets the others train first once this holder's slice is used up.
// Alone, it takes the turn straight back.
func (h *turnHolder) yield() {
	if !h.held || time.Since(h.since) < h.turns.slice {
		return
	}
	h.release()
	h.acquire()
}
