package op

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// minParallel is the least work (in values touched) worth a second
// goroutine: below it, starting one costs more than it saves.
const minParallel = 1 << 14

// workers caps Parallel's goroutines; 0 means one per available CPU.
var workers atomic.Int32

// SetWorkers caps how many goroutines Parallel uses at once (at least 1;
// 0 restores one per CPU), process-wide, as openblas.SetThreads does for
// OpenBLAS: where several models already train at once, one each leaves
// the cores to them and the window.
func SetWorkers(n int) { workers.Store(int32(max(0, n))) }

// Parallel calls fn over [0, n) split into one contiguous chunk per
// available CPU (see SetWorkers), concurrently, and returns when all are done; work is the
// number of values each index touches, so that small jobs stay on the
// calling goroutine. Each index must be independent of the others: the
// results are then the same however the range is split, so runs stay
// reproducible on any number of cores.
func Parallel(n, work int, fn func(lo, hi int)) {
	cpus := runtime.GOMAXPROCS(0)
	if w := int(workers.Load()); w > 0 {
		cpus = min(cpus, w)
	}
	parts := min(cpus, n, max(1, n*work/minParallel))
	if parts <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for p := 1; p < parts; p++ {
		wg.Go(func() { fn(p*n/parts, (p+1)*n/parts) })
	}
	fn(0, n/parts)
	wg.Wait()
}
