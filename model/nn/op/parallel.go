package op

import (
	"runtime"
	"sync"
)

// minParallel is the least work (in values touched) worth a second
// goroutine: below it, starting one costs more than it saves.
const minParallel = 1 << 14

// Parallel calls fn over [0, n) split into one contiguous chunk per
// available CPU, concurrently, and returns when all are done; work is the
// number of values each index touches, so that small jobs stay on the
// calling goroutine. Each index must be independent of the others: the
// results are then the same however the range is split, so runs stay
// reproducible on any number of cores.
func Parallel(n, work int, fn func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), n, max(1, n*work/minParallel))
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
