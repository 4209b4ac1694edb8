package ui

import (
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"latentlab/app"
)

// The bridge's cadences.
const (
	frameInterval  = time.Second / 10       // at most 10 status updates a second
	renderInterval = 400 * time.Millisecond // background pictures (charts, manifolds)
)

// bridge is the one place where background goroutines reach the UI: it
// turns the Lab's change signals into at most 10 fyne.Do calls a second,
// and runs the background renderer, whose pictures go to the screen with
// the next of those calls. Nothing else in this package calls fyne.Do.
type bridge struct {
	stop  chan struct{}
	wg    sync.WaitGroup
	kicks chan struct{} // the fast lane's requests, coalesced
}

// startBridge calls onUpdate on the UI goroutine after the Lab changes
// (coalesced to one call a frame), and every renderInterval calls render
// off the UI goroutine, running the function it returns (if any) on it in
// the next frame, together with the status update if one is due: every
// change to the window repaints all of it, and without a GPU (Xvfb) status
// repaints at 10 a second cost the training about 7% of its speed
// (measured), so the pictures ride along with the status instead of
// repainting on their own. Neither queues more work while its last call is
// still waiting for the UI goroutine, so a busy UI never falls behind a
// growing queue.
func startBridge(lab *app.Lab, onUpdate func(), render func() func()) *bridge {
	return startBridgeOn(fyne.Do, lab.Updates(), onUpdate, render)
}

// startBridgeOn is startBridge with the way onto the UI goroutine (fyne.Do)
// and the change signals given, so that a test can watch each call.
func startBridgeOn(do func(func()), updates <-chan struct{}, onUpdate func(), render func() func()) *bridge {
	b := &bridge{stop: make(chan struct{}), kicks: make(chan struct{}, 1)}
	var queued, rendered atomic.Bool // a frame waits for the UI goroutine; pictures wait for a frame
	pictures := make(chan func(), 1)
	b.wg.Add(2)
	go func() {
		defer b.wg.Done()
		frame := time.NewTicker(frameInterval)
		defer frame.Stop()
		dirty := true
		for {
			select {
			case <-b.stop:
				return
			case <-updates:
				dirty = true
			case <-frame.C:
				if queued.Load() {
					continue
				}
				var show func()
				select {
				case show = <-pictures:
				default:
				}
				if !dirty && show == nil {
					continue
				}
				update := dirty
				dirty = false
				queued.Store(true)
				do(func() {
					defer queued.Store(false)
					if update {
						onUpdate()
					}
					if show != nil {
						show()
						rendered.Store(false)
					}
				})
			}
		}
	}()
	go func() {
		defer b.wg.Done()
		tick := time.NewTicker(renderInterval)
		defer tick.Stop()
		for {
			if !rendered.Load() {
				if show := render(); show != nil {
					rendered.Store(true)
					pictures <- show // never blocks: the last ones were shown
				}
			}
			select {
			case <-b.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return b
}

// startFastLane runs slice off the UI goroutine after each Kick and the
// function it returns (if any) on the UI goroutine at once, without
// waiting for the next status frame: a pad's manifold follows a slider as
// the hand moves it. Kicks while one is served coalesce into one more.
// The lane renders the next slice while the last one waits for the UI
// goroutine, and hands it over once the last one has run: so a slice
// reaches the screen every time the UI goroutine comes round (not every
// render plus wait), and never more than one waits ahead of the screen.
func (b *bridge) startFastLane(do func(func()), slice func() func()) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		var shown chan struct{} // closed when the last slice handed over has run; nil at first
		for {
			select {
			case <-b.stop:
				return
			case <-b.kicks:
			}
			show := slice()
			if show == nil {
				continue
			}
			if shown != nil {
				select {
				case <-shown:
				case <-b.stop:
					return
				}
			}
			done := make(chan struct{})
			do(func() {
				defer close(done)
				show()
			})
			shown = done
		}
	}()
}

// Kick asks the fast lane for a slice; it never blocks.
func (b *bridge) Kick() {
	select {
	case b.kicks <- struct{}{}:
	default:
	}
}

// Stop ends the bridge's goroutines and waits for them.
func (b *bridge) Stop() {
	close(b.stop)
	b.wg.Wait()
}
