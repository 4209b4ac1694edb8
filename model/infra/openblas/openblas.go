//go:build !noopenblas

// Package openblas links OpenBLAS (Debian's libopenblas-dev) through gonum's
// netlib bindings and installs it as the BLAS behind gorgonia's tensors and
// gonum's blas32 and blas64, so every matrix product in latentlab runs in
// OpenBLAS's tuned kernels instead of gonum's pure-Go ones. Built with the
// tag noopenblas (where OpenBLAS is not installed: Windows, a bare macOS),
// it links nothing and leaves gonum's pure-Go BLAS in place (gonum.go).
package openblas

/*
#cgo LDFLAGS: -lopenblas
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
char* openblas_get_config(void);
*/
import "C"

import (
	"sync"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/gorgonia"
)

var install sync.Once

// Install makes OpenBLAS the BLAS of gorgonia, gorgonia's tensors, blas32
// and blas64. It is safe to call many times; only the first call acts.
func Install() {
	install.Do(func() {
		impl := netlib.Implementation{}
		gorgonia.Use(impl)
		blas32.Use(impl)
		blas64.Use(impl)
	})
}

// SetThreads sets how many threads OpenBLAS may use inside one call
// (at least 1). With several models training at once, 1 avoids the
// threads of one product fighting the others for the cores.
func SetThreads(n int) {
	if n < 1 {
		n = 1
	}
	C.openblas_set_num_threads(C.int(n))
}

// Threads reports how many threads OpenBLAS uses inside one call.
func Threads() int { return int(C.openblas_get_num_threads()) }

// Config describes the OpenBLAS build in use (its version, core and thread
// count), for benchmark reports.
func Config() string { return C.GoString(C.openblas_get_config()) }
