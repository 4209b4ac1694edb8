// Package windowpace sets what the desktop app's process needs for its
// window to keep its pace while the models train: enough Go processors
// that the UI goroutine always finds one, and a C heap that keeps the
// memory a frame frees for the next frame.
package windowpace

import (
	"os"
	"runtime"
	"strings"
)

// SpareProcs is how many Go processors (GOMAXPROCS) the app has beyond
// Go's own choice (the CPUs it may use, within a container's quota).
// Every GL call takes the UI goroutine into C, and the runtime hands its
// processor to a waiting goroutine meanwhile; with no more processors than
// CPUs, training goroutines hold them all and the UI goroutine waits for
// one after each long call. With spares it never waits for Go, only for
// the operating system. Measured: an off-plane slider's slices while all
// three models trained went from 9-12 to 14-16 a second (two cores,
// software GL), training no slower.
const SpareProcs = 2

// TrimThreshold is how much free memory glibc's malloc keeps at the top of
// its heap before it gives it back to the system (glibc's default: 128 KiB,
// rising as large blocks are freed). The GL rasterizer and the window
// system allocate and free a few megabytes every frame; given back each
// time, every frame faults them in again. Setting it also fixes glibc's
// mmap threshold at its 128 KiB start (mallopt(3)): larger blocks are
// mapped for each allocation, as before any was freed; the figures below
// are with that. Measured with the app paused and an off-plane slider
// swept for ten seconds, two runs each: 154-156 slices on screen at
// glibc's default, 219-236 at 16 MiB, 230-237 at 64 MiB. What it costs is
// at most this much resident memory kept free: the app's peak over three
// minutes of training was 572 MB at the default, 590 MB at 64 MiB.
const TrimThreshold = 16 << 20

// Set applies SpareProcs and TrimThreshold, each unless the user set it
// (GOMAXPROCS; MALLOC_TRIM_THRESHOLD_, or glibc.malloc.trim_threshold in
// GLIBC_TUNABLES), which then wins. Call it once, at the start.
func Set() {
	if _, ok := os.LookupEnv("GOMAXPROCS"); !ok {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + SpareProcs)
	}
	_, env := os.LookupEnv("MALLOC_TRIM_THRESHOLD_")
	tunable := strings.Contains(os.Getenv("GLIBC_TUNABLES"), "glibc.malloc.trim_threshold")
	if !env && !tunable {
		setTrimThreshold(TrimThreshold)
	}
}
