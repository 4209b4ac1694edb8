package background

import (
	"runtime"
	"testing"
)

// TestEnter_LowersOnlyTheCallingThread: the goroutine that enters runs at
// the background level, a goroutine on another thread stays where it was.
func TestEnter_LowersOnlyTheCallingThread(t *testing.T) {
	runtime.LockOSThread() // the test's own thread, read before and after
	defer runtime.UnlockOSThread()
	before, ok := Level()
	if !ok {
		t.Skip("no thread priority reading on " + runtime.GOOS)
	}
	type reading struct {
		level int
		err   error
	}
	got := make(chan reading)
	go func() {
		err := Enter()
		l, _ := Level()
		got <- reading{l, err}
	}()
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	if runtime.GOOS == "linux" && r.level != max(before, Nice) {
		t.Errorf("entered thread's nice value %d, want %d", r.level, max(before, Nice))
	}
	if runtime.GOOS == "windows" && r.level >= before {
		t.Errorf("entered thread's priority %d, not below %d", r.level, before)
	}
	if after, _ := Level(); after != before {
		t.Errorf("the test's own thread changed from %d to %d", before, after)
	}
}
