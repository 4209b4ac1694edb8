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
	lab, err := NewLab(tinyData(t), tinyConfigs())
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	dir := t.TempDir()
	ckPath := filepath.Join(dir, "vae.safetensors")
	if err := lab.Session(model.KindVAE).SaveCheckpoint(ckPath); err != nil {
		t.Fatal(err)
	}
	ck, err := checkpoint.Load(ckPath)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := ck.Source()
	f, err := pytorch.Export(ck.Config, ck.Weights(), &src)
	if err != nil {
		t.Fatal(err)
	}
	torchPath := filepath.Join(dir, "vae-torch.safetensors")
	if err := safefile.WriteFile(torchPath, func(w io.Writer) error { return safetensors.Write(w, f) }); err != nil {
		t.Fatal(err)
	}
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
