package gcpace

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestSet_AppliesPercentUnlessGOGCIsSet(t *testing.T) {
	before := debug.SetGCPercent(123)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	t.Setenv("GOGC", "77")
	Set()
	if got := debug.SetGCPercent(123); got != 123 {
		t.Errorf("with GOGC set, the GC percent became %d; want it left alone (123)", got)
	}

	os.Unsetenv("GOGC") // t.Setenv restores it afterwards
	Set()
	if got := debug.SetGCPercent(123); got != Percent {
		t.Errorf("without GOGC, the GC percent is %d, want %d", got, Percent)
	}
}
