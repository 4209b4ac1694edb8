//go:build noopenblas

package openblas

// Without OpenBLAS (the build tag noopenblas), gorgonia, blas32 and blas64
// keep gonum's pure-Go BLAS: slower products, but a build that needs no C
// library beyond the kernels' own.

// Install does nothing: gonum's pure-Go BLAS is already in place.
func Install() {}

// SetThreads does nothing: gonum's products split themselves over
// GOMAXPROCS goroutines.
func SetThreads(n int) {}

// Threads reports 1: a product is one call into gonum.
func Threads() int { return 1 }

// Config names the BLAS in use, for benchmark reports.
func Config() string { return "gonum pure-Go BLAS (built with -tags noopenblas)" }
