package app

import (
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestLab_StressRandomOperations trains three models while decoders read
// snapshots and start, pause, reset, settings changes, saves and loads come
// in random order from several goroutines. Under -race it must show no
// race, no deadlock (it finishes within its deadline) and leave no
// goroutine behind.
func TestLab_StressRandomOperations(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	lab, err := NewLab(tinyData(t), tinyConfigs())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	decodes := make([]int, 3)
	for d := 0; d < 3; d++ {
		wg.Add(1)
		go func(d int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(d), 1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := lab.Session(Kinds[rng.IntN(len(Kinds))]).Snapshot()
				z := make([]float64, s.LatentDim())
				for i := range z {
					z[i] = rng.NormFloat64()
				}
				if _, err := s.Decode(z); err != nil {
					t.Errorf("decode: %v", err)
					return
				}
				decodes[d]++
			}
		}(d)
	}
	for o := 0; o < 3; o++ {
		wg.Add(1)
		go func(o int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(o), 2))
			for {
				select {
				case <-stop:
					return
				default:
				}
				k := Kinds[rng.IntN(len(Kinds))]
				s := lab.Session(k)
				switch rng.IntN(7) {
				case 0, 1:
					s.Start()
				case 2:
					s.Pause()
				case 3:
					if err := s.Reset(s.Config()); err != nil {
						t.Errorf("reset: %v", err)
					}
				case 4:
					c := s.Config()
					c.LearningRate = 1e-4 + rng.Float64()*1e-3
					if _, err := s.Apply(c); err != nil {
						t.Errorf("apply: %v", err)
					}
				case 5:
					path := filepath.Join(dir, string(k)+".safetensors")
					if err := s.SaveCheckpoint(path); err != nil {
						t.Errorf("save: %v", err)
					}
					if err := s.LoadCheckpoint(path); err != nil {
						t.Errorf("load: %v", err)
					}
				case 6:
					_ = s.Status()
					_ = s.History().Series()
				}
				time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
			}
		}(o)
	}
	time.Sleep(2 * time.Second)
	close(stop)
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		lab.Close()
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(60 * time.Second):
		t.Fatal("deadlock: workers or Close did not finish within a minute")
	}
	for d, n := range decodes {
		if n == 0 {
			t.Errorf("decoder %d never decoded", d)
		}
	}
	for _, k := range Kinds {
		if st := lab.Session(k).Status(); st.State == Running {
			t.Errorf("%s still running after Close", k)
		}
	}
}
