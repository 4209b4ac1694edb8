package app

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/infra/safefile"
	"latentlab/model/infra/safetensors"
	"latentlab/model/pytorch"
)

// Open model takes a latentlab checkpoint or a PyTorch state_dict, puts it
// into the session of its kind, and refuses what is neither.
func TestLab_OpenModel(t *testing.T) {
	lab, dir := openLab(t)
	ckPath, ck, f := savedVAE(t, lab, dir)
	torchPath := filepath.Join(dir, "vae-torch.safetensors")
	writeFile(t, torchPath, f)
	for _, path := range []string{ckPath, torchPath} {
		kind, err := lab.OpenModel(path)
		if err != nil || kind != model.KindVAE {
			t.Fatalf("%s: kind %s, %v", path, kind, err)
		}
		got := lab.Session(model.KindVAE).Snapshot()
		want := ck.Snapshot()
		z := []float64{0.3, -0.7}
		a, _ := got.Decode(z)
		b, _ := want.Decode(z)
		if !slices.Equal(a, b) {
			t.Fatalf("%s: the opened model decodes otherwise than the saved one", path)
		}
	}
	garbage := filepath.Join(dir, "notes.safetensors")
	os.WriteFile(garbage, []byte("not a model"), 0o644)
	if _, err := lab.OpenModel(garbage); err == nil || !strings.Contains(err.Error(), garbage) {
		t.Fatalf("garbage: %v", err)
	}
}

// A decoder alone (imported without its encoder) opens to explore: it
// decodes, the session says it does not train, Start leaves it, Save
// refuses, and Reset gives a whole new model.
func TestLab_OpenDecoderAlone(t *testing.T) {
	lab, dir := openLab(t)
	_, ck, f := savedVAE(t, lab, dir)
	f.Tensors = slices.DeleteFunc(f.Tensors, func(t safetensors.Tensor) bool { return strings.HasPrefix(t.Name, "encoder.") })
	path := filepath.Join(dir, "decoder.safetensors")
	writeFile(t, path, f)
	s := lab.Session(model.KindVAE)
	if _, err := lab.OpenModel(path); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	if !s.ExploreOnly() || snap.HasEncoder() || s.Config().Parts != model.PartsDecoder {
		t.Fatalf("explore only %v, encoder %v, parts %q", s.ExploreOnly(), snap.HasEncoder(), s.Config().Parts)
	}
	a, err := snap.Decode([]float64{0.3, -0.7})
	b, _ := ck.Snapshot().Decode([]float64{0.3, -0.7})
	if err != nil || !slices.Equal(a, b) {
		t.Fatalf("the decoder alone decodes otherwise: %v", err)
	}
	s.Start()
	if st := s.Status(); st.State == Running || !strings.Contains(st.Message, "does not train") {
		t.Fatalf("started a decoder alone: %+v", st)
	}
	if err := s.SaveCheckpoint(filepath.Join(dir, "x.safetensors")); err == nil {
		t.Fatal("saved a decoder alone over its origin's role")
	}
	if err := s.Reset(s.Config()); err != nil || s.ExploreOnly() || !s.Snapshot().HasEncoder() {
		t.Fatalf("reset: %v, explore only %v", err, s.ExploreOnly())
	}
}

// openLab returns a Lab on the tiny data, closed when the test ends, and a
// folder for its files.
func openLab(t *testing.T) (*Lab, string) {
	t.Helper()
	lab, err := NewLab(tinyData(t), tinyConfigs())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lab.Close)
	return lab, t.TempDir()
}

// savedVAE saves lab's VAE in dir and returns the checkpoint's path, the
// checkpoint, and its weights in PyTorch's layout.
func savedVAE(t *testing.T, lab *Lab, dir string) (string, *checkpoint.Checkpoint, *safetensors.File) {
	t.Helper()
	path := filepath.Join(dir, "vae.safetensors")
	if err := lab.Session(model.KindVAE).SaveCheckpoint(path); err != nil {
		t.Fatal(err)
	}
	ck, err := checkpoint.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := ck.Source()
	f, err := pytorch.Export(ck.Config, ck.Weights(), &src)
	if err != nil {
		t.Fatal(err)
	}
	return path, ck, f
}

// writeFile writes f to path.
func writeFile(t *testing.T, path string, f *safetensors.File) {
	t.Helper()
	if err := safefile.WriteFile(path, func(w io.Writer) error { return safetensors.Write(w, f) }); err != nil {
		t.Fatal(err)
	}
}
