package pytorch

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infra/safetensors"
	"latentlab/model/internal/testkit"
	"latentlab/model/nn"
	"latentlab/model/train"

	"gorgonia.org/tensor"
)

// trainedWeights trains a small model of kind briefly and returns its
// config and parameters.
func trainedWeights(t *testing.T, kind model.Kind) (model.Config, map[string][]float32) {
	t.Helper()
	cfg := testkit.SmallConfig(kind, 4, 5)
	if kind == "conv gan" { // convolutions, up-sampling and batch norm, whose buffers go along
		cfg = testkit.SmallConfig(model.KindGAN, 4, 8).WithArch(model.ArchConv)
		cfg.Hidden = []int{2, 3}
	}
	tr, err := train.NewTrainer(cfg, dataset.Noise(16, cfg.ImageRows, cfg.ImageCols, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	cfg, _, saved := tr.Save()
	w := map[string][]float32{}
	for _, s := range saved {
		w[s.Name] = s.Data
	}
	return cfg, w
}

// latentlab -> PyTorch layout -> latentlab gives identical tensors, and
// the PyTorch side holds a dense layer's weight as [out, in].
func TestExportImport_RoundTripIsExact(t *testing.T) {
	for _, kind := range []model.Kind{model.KindAE, model.KindVAE, model.KindGAN, model.KindClassifier, "conv gan"} {
		cfg, w := trainedWeights(t, kind)
		f, err := Export(cfg, w, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := ReadDescription(f)
		if err != nil {
			t.Fatal(err)
		}
		last := model.ArchitectureOf(cfg).Layers()
		first := last[0].Params()[0]
		if tt, _ := f.Tensor(first.Name); !slices.Equal(tt.Shape, []int{first.Shape[1], first.Shape[0]}) {
			t.Fatalf("%s: %s exported as %v, want [out, in]", kind, first.Name, tt.Shape)
		}
		back, weights, err := Import(f, d)
		if err != nil {
			t.Fatal(err)
		}
		if back.Kind != cfg.Kind || back.LatentDim != cfg.LatentDim || !slices.Equal(back.Hidden, cfg.Hidden) {
			t.Fatalf("%s: config %+v back as %+v", kind, cfg, back)
		}
		for name, want := range w {
			if strings.HasPrefix(name, train.MomentPrefixes[0]) || strings.HasPrefix(name, train.MomentPrefixes[1]) {
				continue
			}
			if !slices.Equal(weights[name], want) {
				t.Fatalf("%s: %s differs after the round trip", kind, name)
			}
		}
		// The imported weights decode what the trained ones did.
		p, err := nn.ParamSetOf(model.ArchitectureOf(back).Layers(), tensor.Float32, weights)
		if err != nil {
			t.Fatal(err)
		}
		if p.Count() == 0 {
			t.Fatal("no parameters")
		}
	}
}

// Mismatches name the tensor, the shape found and the shape wanted.
func TestImport_MismatchesAreNamed(t *testing.T) {
	cfg, w := trainedWeights(t, model.KindVAE)
	cases := []struct {
		name   string
		mutate func(f *safetensors.File, d *Description)
		want   string
	}{
		{"weight in latentlab's layout", func(f *safetensors.File, d *Description) {
			tt, _ := f.Tensor("decoder.out.weight")
			tt.Shape = []int{tt.Shape[1], tt.Shape[0]}
		}, "tensor decoder.out.weight has shape [5 20], want [20 5]"},
		{"missing tensor", func(f *safetensors.File, d *Description) {
			f.Tensors = slices.DeleteFunc(f.Tensors, func(t safetensors.Tensor) bool { return t.Name == "encoder.mu.bias" })
		}, "tensor encoder.mu.bias is missing (want shape [2])"},
		{"extra tensor", func(f *safetensors.File, d *Description) {
			f.Tensors = append(f.Tensors, safetensors.Tensor{Name: "encoder.bn.running_mean", DType: safetensors.F32, Shape: []int{5}, F32: make([]float32, 5)})
		}, `tensors "encoder.bn.running_mean" are not parameters of a vae`},
		{"NaN", func(f *safetensors.File, d *Description) {
			tt, _ := f.Tensor("encoder.0.bias")
			tt.F32[0] = float32(math.NaN())
		}, "tensor encoder.0.bias has a non-finite value"},
		{"other latent size", func(f *safetensors.File, d *Description) { d.LatentDim = 3 }, "tensor encoder.mu.weight has shape [2 5], want [3 5]"},
		{"other activation", func(f *safetensors.File, d *Description) { d.Activation = "tanh" }, `activation = "tanh": latentlab's vae uses "relu"`},
		{"kind in capitals", func(f *safetensors.File, d *Description) { d.Kind = "VAE" }, `kind = "VAE"`},
		{"not a description", func(f *safetensors.File, d *Description) { d.Format = "" }, `format = ""`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Export(cfg, w, nil)
			if err != nil {
				t.Fatal(err)
			}
			d, _ := ReadDescription(f)
			c.mutate(f, &d)
			_, _, err = Import(f, d)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one saying %q", err, c.want)
			}
		})
	}
}

// A decoder or generator alone imports as a decoder-only model; a file
// with part of an encoder is refused, naming what is missing.
func TestImport_DecoderAlone(t *testing.T) {
	for _, kind := range []model.Kind{model.KindVAE, model.KindGAN} {
		cfg, w := trainedWeights(t, kind)
		f, err := Export(cfg, w, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := ReadDescription(f)
		whole := f.Tensors
		f.Tensors = slices.DeleteFunc(slices.Clone(whole), func(t safetensors.Tensor) bool {
			return strings.HasPrefix(t.Name, "encoder.") || strings.HasPrefix(t.Name, "discriminator.")
		})
		got, weights, err := Import(f, d)
		if err != nil || got.Parts != model.PartsDecoder || len(weights) != len(f.Tensors) {
			t.Fatalf("%s decoder alone: parts %q, %d weights, %v", kind, got.Parts, len(weights), err)
		}
		if _, err := train.NewTrainer(got, dataset.Noise(8, 4, 5, 1), nil); err == nil || !strings.Contains(err.Error(), "cannot be trained") {
			t.Fatalf("%s decoder alone trains: %v", kind, err)
		}
		if kind == model.KindVAE {
			f.Tensors = slices.DeleteFunc(slices.Clone(whole), func(t safetensors.Tensor) bool { return t.Name == "encoder.logvar.weight" })
			if _, _, err := Import(f, d); err == nil || !strings.Contains(err.Error(), "tensor encoder.logvar.weight is missing") {
				t.Fatalf("part of an encoder: %v", err)
			}
		}
	}
}
