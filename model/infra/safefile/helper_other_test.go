//go:build !linux

package safefile

// runHelperMode runs platform-specific helper modes; there are none here.
func runHelperMode(mode, path string) bool { return false }
