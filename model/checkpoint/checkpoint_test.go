package checkpoint_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
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
		{"NaN F16 weight", func(f *safetensors.File) {
			w, _ := f.Tensor("decoder.0.weight")
			w.DType = safetensors.F16
			w.F32[3] = float32(math.NaN())
		}, "decoder.0.weight has a non-finite value NaN at element 3"},
		{"F64 weight", func(f *safetensors.File) {
			w, _ := f.Tensor("decoder.0.bias")
			w.DType, w.F64, w.F32 = safetensors.F64, make([]float64, len(w.F32)), nil
		}, "decoder.0.bias has dtype F64, want F32 or F16"},
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

// A GAN whose generator is averaged: the checkpoint's generator parameters
// are the average, which is what the loaded snapshot decodes with; the
// weights behind it travel as optimizer state, which a resumed trainer
// takes up again.
func TestCheckpoint_AveragedGeneratorDecodesAsTrained(t *testing.T) {
	cfg := testkit.SmallConfig(model.KindGAN, 4, 4)
	cfg.GeneratorAverage, cfg.LearningRate = 0.8, 1e-2
	data := dataset.Noise(40, 4, 4, 2)
	tr, err := train.NewTrainer(cfg, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	full := filepath.Join(dir, "gan.safetensors")
	if err := checkpoint.Save(tr, dataset.Source{Name: "noise", Rows: 4, Cols: 4}, full); err != nil {
		t.Fatal(err)
	}
	ck, err := checkpoint.Load(full)
	if err != nil {
		t.Fatal(err)
	}
	z := make([]float64, cfg.LatentDim)
	for i := range z {
		z[i] = math.Cos(float64(i))
	}
	want, _ := tr.Snapshot().Decode(z)
	got, _ := ck.Snapshot().Decode(z)
	if !slices.Equal(got, want) {
		t.Fatal("the checkpoint decodes otherwise than the trainer's snapshot")
	}
	resumed, err := ck.Trainer(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resumed.Close()
	again, _ := resumed.Snapshot().Decode(z)
	if !slices.Equal(again, want) {
		t.Fatal("the resumed trainer decodes otherwise than the one saved")
	}
	slim := filepath.Join(dir, "slim.safetensors")
	if err := ck.SaveWeights(slim); err != nil {
		t.Fatal(err)
	}
	back, err := checkpoint.Load(slim)
	if err != nil {
		t.Fatal(err)
	}
	light, _ := back.Snapshot().Decode(z)
	if !slices.Equal(light, want) {
		t.Fatal("the weights-only file decodes otherwise")
	}
}

func TestCheckpoint_SaveWeightsHalf(t *testing.T) {
	conv := testkit.SmallConfig(model.KindGAN, 8, 8).WithArch(model.ArchConv) // batch norm buffers go along
	conv.Hidden = []int{32, 64}
	mlp := testkit.SmallConfig(model.KindVAE, 28, 28)
	mlp.Hidden = []int{64}
	for _, cfg := range []model.Config{mlp, conv} {
		t.Run(string(cfg.Family())+" "+string(cfg.Kind), func(t *testing.T) {
			data := dataset.Noise(8, cfg.ImageRows, cfg.ImageCols, 1)
			tr, err := train.NewTrainer(cfg, data, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			dir := t.TempDir()
			full := filepath.Join(dir, "full.safetensors")
			if err := checkpoint.Save(tr, dataset.Source{Name: "noise", Rows: cfg.ImageRows, Cols: cfg.ImageCols}, full); err != nil {
				t.Fatal(err)
			}
			ck, err := checkpoint.Load(full)
			if err != nil {
				t.Fatal(err)
			}
			slim, half := filepath.Join(dir, "slim.safetensors"), filepath.Join(dir, "half.safetensors")
			if err := ck.SaveWeights(slim); err != nil {
				t.Fatal(err)
			}
			if err := ck.SaveWeightsHalf(half); err != nil {
				t.Fatal(err)
			}
			back, err := checkpoint.Load(half)
			if err != nil {
				t.Fatal(err)
			}
			if !back.WeightsOnly() {
				t.Error("a half-precision file does not say it is weights only")
			}

			// The file says what it holds, and holds F16 tensors only.
			raw, err := safetensors.ReadFile(half)
			if err != nil {
				t.Fatal(err)
			}
			if raw.Metadata["precision"] != "float16" || raw.Metadata["weights_only"] != "true" {
				t.Errorf("metadata precision = %q, weights_only = %q; want float16, true", raw.Metadata["precision"], raw.Metadata["weights_only"])
			}
			for _, tn := range raw.Tensors {
				if tn.DType != safetensors.F16 {
					t.Errorf("tensor %s stored as %s, want F16", tn.Name, tn.DType)
				}
			}

			// Rounding to nearest half moves a weight w by at most half
			// a unit in the last place: 2^-11·|w| for normal halves,
			// 2^-25 for subnormal ones (below 2^-14).
			want, got := ck.Weights(), back.Weights()
			if len(got) != len(want) {
				t.Fatalf("%d tensors back, want %d", len(got), len(want))
			}
			for name, w := range want {
				g := got[name]
				if len(g) != len(w) {
					t.Fatalf("%s: %d values back, want %d", name, len(g), len(w))
				}
				for i := range w {
					if d := math.Abs(float64(g[i]) - float64(w[i])); d > 0x1p-11*math.Abs(float64(w[i]))+0x1p-24 {
						t.Fatalf("%s[%d]: %v back as %v, off by %g", name, i, w[i], g[i], d)
					}
				}
			}

			// The tensor data takes exactly half the bytes; the header
			// (config and state, a few kilobytes) differs only by the
			// precision entry.
			slimData, slimSize := dataBytes(t, slim)
			halfData, halfSize := dataBytes(t, half)
			t.Logf("weights only: %d bytes (%d of data), half precision: %d bytes (%d of data)", slimSize, slimData, halfSize, halfData)
			if 2*halfData != slimData {
				t.Errorf("half-precision data is %d bytes, want half of %d", halfData, slimData)
			}
			if float64(halfSize) > 0.55*float64(slimSize) {
				t.Errorf("half-precision file is %d bytes, more than 55%% of the %d bytes SaveWeights writes", halfSize, slimSize)
			}

			// Decoding moves little: rounding the weights changes a
			// pre-activation by at most 2^-11·Σ|w·x| (about 5e-4 for
			// these freshly initialised layers), the squashing
			// functions have slope at most 1, and the bound allows
			// four layers' worth. Measured: below 1e-4 for both.
			z := []float64{0.3, -0.2}
			a, err := ck.Snapshot().Decode(z)
			if err != nil {
				t.Fatal(err)
			}
			b, err := back.Snapshot().Decode(z)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for i := range a {
				worst = max(worst, math.Abs(a[i]-b[i]))
			}
			t.Logf("largest pixel difference after decoding: %g", worst)
			if worst > 2e-3 {
				t.Errorf("decoded pixels differ by up to %g after saving in half precision", worst)
			}

			// Half-precision weights train on, starting from the
			// rounded values.
			tr2, err := back.Trainer(data, nil)
			if err != nil {
				t.Fatalf("train on from half-precision weights: %v", err)
			}
			defer tr2.Close()
			_, _, saved := tr2.Save()
			for _, s := range saved {
				if w, ok := got[s.Name]; ok && !slices.Equal(s.Data, w) {
					t.Errorf("trainer restored %s with other values than the checkpoint holds", s.Name)
				}
			}
		})
	}
}

func TestCheckpoint_SaveWeightsHalfRefusesOutOfRange(t *testing.T) {
	tr, err := train.NewTrainer(testkit.SmallConfig(model.KindAE, 4, 4), dataset.Noise(8, 4, 4, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	cfg, _, saved := tr.Save()
	weights := map[string][]float32{}
	for _, s := range saved {
		weights[s.Name] = s.Data
	}
	// 65520 is finite as a float32 but rounds to infinity as a half.
	weights["decoder.out.bias"][2] = 65520
	ck, err := checkpoint.FromWeights("big", cfg, weights, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "half.safetensors")
	err = ck.SaveWeightsHalf(path)
	if err == nil || !strings.Contains(err.Error(), `tensor "decoder.out.bias": element 2 (65520) is beyond the F16 range`) {
		t.Fatalf("err = %v, want one naming decoder.out.bias, element 2", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a failed save left %s behind (stat: %v)", path, err)
	}
	// Full precision holds the value.
	if err := ck.SaveWeights(path); err != nil {
		t.Fatalf("SaveWeights: %v", err)
	}
}

// dataBytes returns the size of the tensor data in the safetensors file at
// path, and the size of the file.
func dataBytes(t *testing.T, path string) (data, size int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	header := int64(binary.LittleEndian.Uint64(b))
	return int64(len(b)) - 8 - header, int64(len(b))
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

// A model that up-samples by transposed convolutions is saved as format
// version 2, which a latentlab that would build it otherwise refuses as
// newer than it reads; every other model stays version 1. Both load.
func TestCheckpoint_VersionFollowsWhatTheModelNeeds(t *testing.T) {
	for _, up := range []model.Upsample{"", model.UpsampleTransposed} {
		cfg := testkit.SmallConfig(model.KindVAE, 4, 4).WithArch(model.ArchConv)
		cfg.Hidden, cfg.Upsample = []int{2, 3}, up
		tr, err := train.NewTrainer(cfg, dataset.Noise(8, 4, 4, 1), nil)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "vae.safetensors")
		if err := checkpoint.Save(tr, dataset.Source{Name: "noise", Rows: 4, Cols: 4}, path); err != nil {
			t.Fatal(err)
		}
		tr.Close()
		f, err := safetensors.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := map[model.Upsample]string{"": "1", model.UpsampleTransposed: "2"}[up]
		if got := f.Metadata["format_version"]; got != want {
			t.Errorf("up-sampling %q saved as format_version %s, want %s", up, got, want)
		}
		ck, err := checkpoint.Load(path)
		if err != nil || ck.Config.UpsampleOf() != cfg.UpsampleOf() {
			t.Fatalf("up-sampling %q loads as %+v, %v", up, ck, err)
		}
	}
}
