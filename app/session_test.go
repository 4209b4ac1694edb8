package app

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"latentlab/model"
	"latentlab/model/dataset"
)

// tinyData is a small synthetic data set of 6x6 images.
func tinyData(t *testing.T) *Data {
	t.Helper()
	mk := func(n int, seed byte) *dataset.Set {
		s := &dataset.Set{Rows: 6, Cols: 6, Pixels: make([]uint8, n*36), Labels: make([]uint8, n)}
		for i := range s.Pixels {
			s.Pixels[i] = uint8((i*7 + int(seed)) % 11 * 25)
		}
		for i := range s.Labels {
			s.Labels[i] = uint8(i % 10)
		}
		return s
	}
	train, test := mk(200, 1), mk(50, 3)
	src := dataset.Source{Name: "tiny", SHA256: dataset.Digest(train, test), Rows: 6, Cols: 6, Validation: 40}
	return &Data{Train: train, Val: mk(40, 2), Test: test, Source: src}
}

func tinyConfigs() map[model.Kind]model.Config {
	out := map[model.Kind]model.Config{}
	for _, k := range Kinds {
		c := model.DefaultConfig(k)
		c.Hidden = []int{8}
		if k == model.KindGAN {
			c.Hidden = []int{8, 8}
		}
		c.BatchSize = 16
		c.Epochs = 1000
		out[k] = c
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSession_PauseStopsStepsAndResumeContinues(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	lab, err := NewLab(tinyData(t), tinyConfigs())
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	s := lab.Session(model.KindVAE)
	s.Start()
	waitFor(t, "steps", func() bool { return s.Status().Progress.Step > 5 })
	s.Pause()
	if st := s.Status().State; st != Paused {
		t.Fatalf("state after pause = %v", st)
	}
	paused := s.Status().Progress.Step
	time.Sleep(100 * time.Millisecond)
	if now := s.Status().Progress.Step; now != paused {
		t.Fatalf("steps went on while paused: %d then %d", paused, now)
	}
	s.Start()
	waitFor(t, "steps after resume", func() bool { return s.Status().Progress.Step > paused+5 })
}

func TestSession_ResetStartsFromTheSeedsWeights(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	lab, err := NewLab(tinyData(t), tinyConfigs())
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	s := lab.Session(model.KindAE)
	z := []float64{0.3, -0.7}
	initial, _ := s.Snapshot().Decode(z)
	s.Start()
	waitFor(t, "training", func() bool { return s.Status().Progress.Step > 20 })
	s.Pause()
	trained, _ := s.Snapshot().Decode(z)
	if same(initial, trained) {
		t.Fatal("training did not change the decoder")
	}
	if err := s.Reset(s.Config()); err != nil {
		t.Fatal(err)
	}
	again, _ := s.Snapshot().Decode(z)
	if !same(initial, again) {
		t.Fatal("reset did not restore the seed's weights")
	}
	if st := s.Status(); st.State != Idle || st.Progress.Step != 0 || len(s.History().Series()) != 0 {
		t.Fatalf("after reset: state %v, step %d, %d series", st.State, st.Progress.Step, len(s.History().Series()))
	}
}

func TestSession_BadSettingsChangeNothing(t *testing.T) {
	lab, err := NewLab(tinyData(t), tinyConfigs())
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	s := lab.Session(model.KindVAE)
	before := s.Config()
	bad := before
	bad.LearningRate = -1
	if _, err := s.Apply(bad); err == nil || !strings.Contains(err.Error(), "learning_rate") {
		t.Fatalf("err = %v", err)
	}
	if err := s.Reset(bad); err == nil {
		t.Fatal("reset accepted a negative learning rate")
	}
	if after := s.Config(); after.LearningRate != before.LearningRate {
		t.Fatalf("learning rate changed to %v", after.LearningRate)
	}
}

func TestSession_CheckpointOfAnotherKindIsRefused(t *testing.T) {
	lab, err := NewLab(tinyData(t), tinyConfigs())
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	path := filepath.Join(t.TempDir(), "ae.safetensors")
	if err := lab.Session(model.KindAE).SaveCheckpoint(path); err != nil {
		t.Fatal(err)
	}
	err = lab.Session(model.KindVAE).LoadCheckpoint(path)
	if err == nil || !strings.Contains(err.Error(), "a model of kind ae") {
		t.Fatalf("err = %v", err)
	}
	if err := lab.Session(model.KindAE).LoadCheckpoint(path); err != nil {
		t.Fatal(err)
	}

	// The same kind trained on other images is refused, with the reason.
	other := tinyData(t)
	other.Test = other.Train.Head(50)
	other.Source.Name, other.Source.SHA256 = "other", dataset.Digest(other.Train, other.Test)
	lab2, err := NewLab(other, tinyConfigs())
	if err != nil {
		t.Fatal(err)
	}
	defer lab2.Close()
	err = lab2.Session(model.KindAE).LoadCheckpoint(path)
	if err == nil || !strings.Contains(err.Error(), "was trained on tiny") || !strings.Contains(err.Error(), "not on other") {
		t.Fatalf("checkpoint of other data: err = %v", err)
	}
}

func TestLab_CloseStopsEveryGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	lab, err := NewLab(tinyData(t), tinyConfigs())
	if err != nil {
		t.Fatal(err)
	}
	lab.StartAll()
	waitFor(t, "all training", func() bool {
		for _, k := range Kinds {
			if lab.Session(k).Status().Progress.Step == 0 {
				return false
			}
		}
		return true
	})
	lab.Close()
}

func TestHistory_KeepsShapeWithinBound(t *testing.T) {
	h := NewHistory()
	for i := 0; i < 10*maxPoints; i++ {
		h.Add("loss", float64(i), float64(i))
	}
	s := h.Series("loss")[0]
	if len(s.X) >= maxPoints || len(s.X) < maxPoints/4 {
		t.Fatalf("%d points kept", len(s.X))
	}
	// Averages of a line stay on the line.
	for i := range s.X {
		if s.X[i] != s.Y[i] {
			t.Fatalf("point %d: (%v, %v) off the line y = x", i, s.X[i], s.Y[i])
		}
	}
	if s.X[len(s.X)-1] < float64(9*maxPoints) {
		t.Fatalf("newest point %v: the end of the run is missing", s.X[len(s.X)-1])
	}
}

func same(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSession_DivergenceFailsAndResetRecovers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	cfgs := tinyConfigs()
	bad := cfgs[model.KindAE]
	bad.Optimizer, bad.LearningRate = model.SGD, 10
	cfgs[model.KindAE] = bad
	lab, err := NewLab(tinyData(t), cfgs)
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	s := lab.Session(model.KindAE)
	s.Start()
	waitFor(t, "the run to fail", func() bool { return s.Status().State == Failed })
	st := s.Status()
	if st.Err == nil || !strings.Contains(st.Err.Error(), "step") {
		t.Fatalf("failure %v does not name the step", st.Err)
	}
	// The last good snapshot still decodes to finite pixels.
	img, err := s.Snapshot().Decode([]float64{0.2, 0.1})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range img {
		if v != v {
			t.Fatalf("pixel %d is NaN", i)
		}
	}
	s.Start() // refused while failed
	if s.Status().State != Failed {
		t.Fatal("a failed session started again without a reset")
	}
	good := s.Config()
	good.Optimizer, good.LearningRate = model.Adam, 1e-3
	if err := s.Reset(good); err != nil {
		t.Fatal(err)
	}
	s.Start()
	waitFor(t, "training after the reset", func() bool { return s.Status().Progress.Step > 20 })
	if st := s.Status(); st.State == Failed || st.Err != nil {
		t.Fatalf("after reset: %v, %v", st.State, st.Err)
	}
}
