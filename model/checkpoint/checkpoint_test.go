package checkpoint_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/dataset"
	"latentlab/model/infra/safetensors"
	"latentlab/model/internal/testkit"
	"latentlab/model/train"
)

func TestLoadCheckpoint_RefusesWhatDoesNotFit(t *testing.T) {
	tr, err := train.NewTrainer(testkit.SmallConfig(model.KindVAE, 4, 4), dataset.Noise(8, 4, 4, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	saved := filepath.Join(t.TempDir(), "vae.safetensors")
	if err := checkpoint.Save(tr, dataset.Source{Name: "noise", Rows: 4, Cols: 4}, saved); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		mutate func(f *safetensors.File)
		want   string
	}{
		{"not ours", func(f *safetensors.File) { f.Metadata["format"] = "pytorch" }, "not a latentlab checkpoint"},
		{"newer version", func(f *safetensors.File) { f.Metadata["format_version"] = "99" }, "newer than this latentlab reads"},
		{"garbage config", func(f *safetensors.File) { f.Metadata["config"] = "{not json" }, "config is not valid JSON"},
		{"garbage state", func(f *safetensors.File) { f.Metadata["state"] = "[" }, "state is not valid JSON"},
		{"absurd config", func(f *safetensors.File) {
			f.Metadata["config"] = strings.Replace(f.Metadata["config"], `"latent_dim":2`, `"latent_dim":-3`, 1)
		}, "latent_dim = -3"},
		{"other kind", func(f *safetensors.File) {
			f.Metadata["config"] = strings.Replace(f.Metadata["config"], `"kind":"vae"`, `"kind":"gan"`, 1)
		}, "tensor generator.0.weight is missing"},
		{"other shape", func(f *safetensors.File) {
			f.Metadata["config"] = strings.Replace(f.Metadata["config"], `"latent_dim":2`, `"latent_dim":3`, 1)
		}, "encoder.mu.weight has shape [5 2], want [5 3]"},
		{"kind in capitals", func(f *safetensors.File) {
			f.Metadata["config"] = strings.Replace(f.Metadata["config"], `"kind":"vae"`, `"kind":"VAE"`, 1)
		}, `kind = "VAE"`},
		{"kind with spaces", func(f *safetensors.File) {
			f.Metadata["config"] = strings.Replace(f.Metadata["config"], `"kind":"vae"`, `"kind":" vae "`, 1)
		}, `kind = " vae "`},
		{"image size overflows", func(f *safetensors.File) {
			c := strings.Replace(f.Metadata["config"], `"image_rows":4`, `"image_rows":4294967296`, 1)
			f.Metadata["config"] = strings.Replace(c, `"image_cols":4`, `"image_cols":4294967296`, 1)
		}, "image size = 4294967296x4294967296"},
		{"NaN moment", func(f *safetensors.File) {
			m, _ := f.Tensor("optimizer.v.decoder.0.weight")
			m.F32[2] = float32(math.NaN())
		}, "optimizer.v.decoder.0.weight has a non-finite value"},
		{"moment of the wrong shape", func(f *safetensors.File) {
			m, _ := f.Tensor("optimizer.m.encoder.mu.bias")
			m.Shape, m.F32 = []int{1}, m.F32[:1]
		}, "optimizer.m.encoder.mu.bias has shape [1], want [2]"},
		{"foreign tensor", func(f *safetensors.File) {
			f.Tensors = append(f.Tensors, safetensors.Tensor{Name: "classifier.out.weight", DType: safetensors.F32, Shape: []int{1}, F32: []float32{0}})
		}, "tensor classifier.out.weight is neither a parameter nor an optimizer moment"},
		{"NaN weight", func(f *safetensors.File) {
			w, _ := f.Tensor("decoder.out.bias")
			w.F32[1] = float32(math.NaN())
		}, "decoder.out.bias has a non-finite value"},
		{"Inf weight", func(f *safetensors.File) {
			w, _ := f.Tensor("encoder.0.weight")
			w.F32[0] = float32(math.Inf(1))
		}, "encoder.0.weight has a non-finite value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := safetensors.ReadFile(saved)
			if err != nil {
				t.Fatal(err)
			}
			c.mutate(f)
			path := filepath.Join(t.TempDir(), "c.safetensors")
			out, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := safetensors.Write(out, f); err != nil {
				t.Fatal(err)
			}
			out.Close()
			_, err = checkpoint.Load(path)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming %s and saying %q", err, path, c.want)
			}
		})
	}
}

func TestSaveCheckpoint_KeepsOldFileOnFailure(t *testing.T) {
	tr, err := train.NewTrainer(testkit.SmallConfig(model.KindAE, 4, 4), dataset.Noise(8, 4, 4, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "ae.safetensors")
	if err := checkpoint.Save(tr, dataset.Source{Name: "noise", Rows: 4, Cols: 4}, path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if err := checkpoint.Save(tr, dataset.Source{Name: "noise", Rows: 4, Cols: 4}, filepath.Join(dir, "missing", "ae.safetensors")); err == nil {
		t.Fatal("saving into a missing directory gave no error")
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("the old checkpoint changed")
	}
}

func TestCheckpoint_SaveWeightsKeepsTheModel(t *testing.T) {
	tr, err := train.NewTrainer(testkit.SmallConfig(model.KindVAE, 4, 4), dataset.Noise(8, 4, 4, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	dir := t.TempDir()
	full := filepath.Join(dir, "full.safetensors")
	if err := checkpoint.Save(tr, dataset.Source{Name: "noise", Rows: 4, Cols: 4}, full); err != nil {
		t.Fatal(err)
	}
	ck, err := checkpoint.Load(full)
	if err != nil {
		t.Fatal(err)
	}
	slim := filepath.Join(dir, "slim.safetensors")
	if err := ck.SaveWeights(slim); err != nil {
		t.Fatal(err)
	}
	back, err := checkpoint.Load(slim)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ck.Snapshot().Decode([]float64{0.3, -0.2})
	b, _ := back.Snapshot().Decode([]float64{0.3, -0.2})
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("pixel %d: %v before, %v after saving weights only", i, a[i], b[i])
		}
	}
	fs, _ := os.Stat(full)
	ss, _ := os.Stat(slim)
	if ss.Size()*2 > fs.Size() {
		t.Fatalf("weights only: %d bytes, full: %d", ss.Size(), fs.Size())
	}
	// Weights alone train on, from fresh optimizer moments.
	if !back.WeightsOnly() {
		t.Fatal("a weights-only file does not say so")
	}
	tr2, err := back.Trainer(dataset.Noise(8, 4, 4, 1), nil)
	if err != nil {
		t.Fatalf("train on from weights only: %v", err)
	}
	tr2.Close()
}

// FuzzRead feeds checkpoints whose metadata (config, state, data) is
// anything: each is refused with an error or loads into a snapshot that
// decodes.
func FuzzRead(f *testing.F) {
	tr, err := train.NewTrainer(testkit.SmallConfig(model.KindVAE, 4, 4), dataset.Noise(8, 4, 4, 1), nil)
	if err != nil {
		f.Fatal(err)
	}
	defer tr.Close()
	path := filepath.Join(f.TempDir(), "vae.safetensors")
	if err := checkpoint.Save(tr, dataset.Source{Name: "noise", Rows: 4, Cols: 4}, path); err != nil {
		f.Fatal(err)
	}
	base, err := safetensors.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	md := base.Metadata
	f.Add(md["config"], md["state"], md["data"])
	f.Add(strings.Replace(md["config"], `"vae"`, `"VAE"`, 1), md["state"], md["data"])
	f.Add(strings.Replace(md["config"], `"image_rows":4`, `"image_rows":4294967296`, 1), md["state"], md["data"])
	f.Add(md["config"], `{"step":-1}`, `{"image_rows":5}`)
	f.Fuzz(func(t *testing.T, config, state, data string) {
		file := *base
		file.Metadata = map[string]string{"format": md["format"], "format_version": md["format_version"], "config": config, "state": state, "data": data}
		var buf bytes.Buffer
		if err := safetensors.Write(&buf, &file); err != nil {
			t.Skip(err)
		}
		ck, err := checkpoint.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "fuzz")
		if err != nil {
			return
		}
		s := ck.Snapshot()
		if _, err := s.Decode(make([]float64, s.LatentDim())); err != nil {
			t.Fatalf("a checkpoint that loads does not decode: %v", err)
		}
	})
}
