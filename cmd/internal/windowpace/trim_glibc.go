//go:build linux && cgo

package windowpace

// #include <features.h>
// #ifdef __GLIBC__
// #include <malloc.h>
// static int ll_set_trim_threshold(int bytes) { return mallopt(M_TRIM_THRESHOLD, bytes); }
// static int ll_glibc(void) { return 1; }
// #else
// static int ll_glibc(void) { return 0; }
// static int ll_set_trim_threshold(int bytes) { (void)bytes; return 0; }
// #endif
import "C"

// setTrimThreshold sets glibc malloc's M_TRIM_THRESHOLD; it reports
// whether the C library took it (other C libraries do not have it).
func setTrimThreshold(bytes int) bool { return C.ll_set_trim_threshold(C.int(bytes)) == 1 }

// glibc reports whether the C library is glibc.
func glibc() bool { return C.ll_glibc() == 1 }
