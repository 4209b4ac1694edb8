// Package windowpace sets what the desktop app's process needs for its
// window to keep its pace while the models train: enough Go processors
// that the UI goroutine always finds one, and a C heap that keeps the
// memory a frame frees for the next frame.
package windowpace

import (
	"os"
	"runtime"
)

// SpareProcs is how many Go processors (GOMAXPROCS) the app has beyond the
// CPUs. Every GL call takes the UI goroutine into C, and the runtime hands
// its processor to a waiting goroutine meanwhile; with no more processors
// than CPUs, training goroutines hold them all and the UI goroutine waits
// for one after each long call. With spares it never waits for Go, only for
// the operating system. Measured: an off-plane slider's slices while all
// three models trained went from 9-12 to 14-16 a second (two cores,
// software GL), training no slower.
const SpareProcs = 2

// TrimThreshold is how much free memory glibc's malloc keeps at the top of
// its heap before it gives it back to the system (glibc's default: 128 KiB,
// rising as large blocks are freed). The GL rasterizer and the window
// system allocate and free a few megabytes every frame; given back each
// time, every frame faults them in again. Measured with the app paused and
// an off-plane slider swept for ten seconds, two runs each: 154-156 slices
// on screen at glibc's default, 219-236 at 16 MiB, 230-237 at 64 MiB. What
// it costs is at most this much resident memory kept free: the app's peak
// over three minutes of training was 572 MB at the default, 590 MB at
// 64 MiB.
const TrimThreshold = 16 << 20

// Set applies SpareProcs and TrimThreshold, each unless the user set its
// environment variable (GOMAXPROCS; MALLOC_TRIM_THRESHOLD_ or
// GLIBC_TUNABLES), which then wins.
func Set() {
	if _, ok := os.LookupEnv("GOMAXPROCS"); !ok {
		runtime.GOMAXPROCS(runtime.NumCPU() + SpareProcs)
	}
	_, env := os.LookupEnv("MALLOC_TRIM_THRESHOLD_")
	_, tunables := os.LookupEnv("GLIBC_TUNABLES")
	if !env && !tunables {
		setTrimThreshold(TrimThreshold)
	}
}
