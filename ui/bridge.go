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
// and runs the background renderer, handing its pictures over with
// fyne.Do. Nothing else in this package calls fyne.Do.
type bridge struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

// startBridge calls onUpdate on the UI goroutine after the Lab changes
// (coalesced to one call a frame), and every renderInterval calls render
// off the UI goroutine, running the function it returns (if any) on it.
// Neither queues more work while its last call is still waiting for the
// UI goroutine, so a busy UI never falls behind a growing queue.
func startBridge(lab *app.Lab, onUpdate func(), render func() func()) *bridge {
	b := &bridge{stop: make(chan struct{})}
	var updating, applying atomic.Bool
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
			case <-lab.Updates():
				dirty = true
			case <-frame.C:
				if dirty && updating.CompareAndSwap(false, true) {
					dirty = false
					fyne.Do(func() {
						updating.Store(false)
						onUpdate()
					})
				}
			}
		}
	}()
	go func() {
		defer b.wg.Done()
		tick := time.NewTicker(renderInterval)
		defer tick.Stop()
		for {
			if !applying.Load() {
				if apply := render(); apply != nil {
					applying.Store(true)
					fyne.Do(func() {
						defer applying.Store(false)
						apply()
					})
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

// Stop ends the bridge's goroutines and waits for them.
func (b *bridge) Stop() {
	close(b.stop)
	b.wg.Wait()
}
