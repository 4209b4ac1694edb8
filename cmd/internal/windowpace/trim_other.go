//go:build !linux || !cgo

package windowpace

// setTrimThreshold does nothing where glibc is not the C library.
func setTrimThreshold(int) bool { return false }

func glibc() bool { return false }
