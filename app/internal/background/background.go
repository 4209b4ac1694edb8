package background

import (
	"fmt"
	"runtime"
)

// Nice is the nice value a background thread gets on Linux: a weight of 110
// against the UI thread's 1024 (the kernel's sched_prio_to_weight table),
// so a busy UI thread gets about nine tenths of a core when it wants one and
// the training all of it when it does not.
const Nice = 10

// Enter locks the calling goroutine to its OS thread and lowers that
// thread's priority. The goroutine must not unlock the thread: when it
// returns, Go ends the thread with it, so no goroutine ever runs on a
// lowered thread it did not ask for. It reports why the priority could not
// be lowered; the goroutine then runs at normal priority, still locked.
func Enter() error {
	runtime.LockOSThread()
	if err := lower(); err != nil {
		return fmt.Errorf("background thread priority: %w", err)
	}
	return nil
}

// Level reads the calling thread's priority as the platform states it
// (Linux: the nice value), for tests and diagnostics; ok is false where
// the platform has no such reading here.
func Level() (level int, ok bool) { return level0() }
