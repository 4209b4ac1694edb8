package windowpace

import (
	"os"
	"runtime"
	"testing"
)

func TestSet_SparesProcessorsUnlessGOMAXPROCSIsSet(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(before) })

	t.Setenv("GOMAXPROCS", "1")
	runtime.GOMAXPROCS(1)
	Set()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("with GOMAXPROCS set, Set made it %d; want it left at 1", got)
	}
}

func TestSet_SparesProcessors(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(before) })
	if v, ok := os.LookupEnv("GOMAXPROCS"); ok {
		t.Skipf("GOMAXPROCS=%s is set for this test run", v)
	}
	Set()
	if got, want := runtime.GOMAXPROCS(0), before+SpareProcs; got != want {
		t.Errorf("GOMAXPROCS %d, want %d", got, want)
	}
}

func TestSetTrimThreshold_GlibcTakesIt(t *testing.T) {
	if !glibc() {
		t.Skip("the C library is not glibc")
	}
	if !setTrimThreshold(TrimThreshold) {
		t.Error("mallopt(M_TRIM_THRESHOLD) was refused (or this C library is not glibc)")
	}
}
