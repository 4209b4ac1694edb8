// Package pytorch moves latentlab's models to and from PyTorch: a model's
// parameters in PyTorch's own layout and names (a state_dict saved in the
// safetensors format, as safetensors.torch.save_file writes it), with a
// small JSON Description of the architecture. cmd/latentlab-torch holds
// the nn.Module definitions that load them.
//
// The names are latentlab's ("encoder.0.weight", "decoder.out.bias"),
// which are also the names the companion's modules give their
// parameters; the layout is each parameter's PyTorch layout (a dense
// layer's weight is [out, in] there, the transpose of latentlab's; see
// nn.Param.TorchTransposed).
package pytorch

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infra/safetensors"
	"latentlab/model/kernel"
	"latentlab/model/nn"
)

// The format a Description names, and the version this code writes and
// reads.
const (
	Format  = "latentlab-torch"
	Version = 1
)

// MetadataKey is the safetensors metadata key that holds the Description
// as JSON in an exported file.
const MetadataKey = "latentlab"

// Description is the architecture of a model in PyTorch's layout: what the
// companion's modules are built from.
type Description struct {
	Format  string     `json:"format"`
	Version int        `json:"format_version"`
	Kind    model.Kind `json:"kind"`
	// Arch is "mlp" (also when empty) or "conv"; for conv, Hidden holds
	// the two channel counts (see model.ArchitectureOf).
	Arch model.Arch `json:"arch,omitempty"`
	// Upsample is how a conv decoder or generator doubles its images'
	// sides: "resize" (also when empty) or "transposed".
	Upsample  model.Upsample `json:"upsample,omitempty"`
	LatentDim int            `json:"latent_dim"`
	// Hidden are the hidden widths of the encoder (AE, VAE), the generator
	// (GAN) or the classifier; the decoder and discriminator mirror them.
	Hidden []int `json:"hidden"`
	// Activation of the hidden layers: "relu", or "leaky_relu(0.2)" for the
	// GAN. The output layers are linear (logits).
	Activation string `json:"activation"`
	ImageRows  int    `json:"image_rows"`
	ImageCols  int    `json:"image_cols"`
	// Data is what the model was trained on, where that is known.
	Data *dataset.Source `json:"data,omitempty"`
}

// activationOf is the hidden activation latentlab's architecture of kind
// uses, as a Description spells it.
func activationOf(kind model.Kind) string {
	if kind == model.KindGAN {
		return "leaky_relu(0.2)"
	}
	return "relu"
}

// Describe returns the Description of a model configured by cfg.
func Describe(cfg model.Config, src *dataset.Source) Description {
	return Description{Format: Format, Version: Version, Kind: cfg.Kind, Arch: cfg.Arch, Upsample: cfg.Upsample, LatentDim: cfg.LatentDim,
		Hidden: slices.Clone(cfg.Hidden), Activation: activationOf(cfg.Kind), ImageRows: cfg.ImageRows, ImageCols: cfg.ImageCols, Data: src}
}

// Config returns the latentlab configuration d describes (the training
// settings are the kind's defaults), or an error that says what does not
// fit latentlab's architectures.
func (d Description) Config() (model.Config, error) {
	if d.Format != Format {
		return model.Config{}, fmt.Errorf("description format = %q, want %q", d.Format, Format)
	}
	if d.Version < 1 || d.Version > Version {
		return model.Config{}, fmt.Errorf("description format_version = %d: this latentlab reads 1 to %d", d.Version, Version)
	}
	cfg := model.DefaultConfig(d.Kind)
	cfg.Kind, cfg.Arch, cfg.Upsample, cfg.LatentDim, cfg.Hidden = d.Kind, d.Arch, d.Upsample, d.LatentDim, slices.Clone(d.Hidden)
	cfg.ImageRows, cfg.ImageCols = d.ImageRows, d.ImageCols
	if err := cfg.Validate(); err != nil {
		return model.Config{}, fmt.Errorf("description: %w", err)
	}
	if want := activationOf(d.Kind); d.Activation != want {
		return model.Config{}, fmt.Errorf("description activation = %q: latentlab's %s uses %q", d.Activation, d.Kind, want)
	}
	if d.Data != nil && (d.Data.Rows != d.ImageRows || d.Data.Cols != d.ImageCols) {
		return model.Config{}, fmt.Errorf("description data has %dx%d images, the model %dx%d", d.Data.Rows, d.Data.Cols, d.ImageRows, d.ImageCols)
	}
	return cfg, nil
}

// Export returns the parameters of a model configured by cfg (weights by
// name, in latentlab's layout) as a safetensors file in PyTorch's layout,
// with its Description in the metadata.
func Export(cfg model.Config, weights map[string][]float32, src *dataset.Source) (*safetensors.File, error) {
	desc, err := json.Marshal(Describe(cfg, src))
	if err != nil {
		return nil, err
	}
	f := &safetensors.File{Metadata: map[string]string{"format": "pt", MetadataKey: string(desc)}}
	for _, p := range params(cfg) {
		w, ok := weights[p.Name]
		if !ok || len(w) != p.Size() {
			return nil, fmt.Errorf("pytorch: export: parameter %s has %d values, want %d", p.Name, len(w), p.Size())
		}
		shape, data := slices.Clone(p.Shape), slices.Clone(w)
		if p.TorchTransposed {
			shape, data = []int{p.Shape[1], p.Shape[0]}, transpose(w, p.Shape[0], p.Shape[1])
		}
		f.Tensors = append(f.Tensors, safetensors.Tensor{Name: p.Name, DType: safetensors.F32, Shape: shape, F32: data})
	}
	return f, nil
}

// ReadDescription returns the Description in an exported file's metadata.
func ReadDescription(f *safetensors.File) (Description, error) {
	raw, ok := f.Metadata[MetadataKey]
	if !ok {
		return Description{}, fmt.Errorf("no %q entry in the file's metadata: give the description with --describe", MetadataKey)
	}
	var d Description
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return Description{}, fmt.Errorf("metadata %q is not a description: %w", MetadataKey, err)
	}
	return d, nil
}

// Import checks the tensors of f, a state_dict in PyTorch's layout, against
// the architecture d describes and returns its configuration and its
// parameters in latentlab's layout. A file without any of the encoder's
// (AE, VAE) or the discriminator's (GAN) tensors is a decoder alone
// (model.PartsDecoder): enough to explore and measure samples. Every error
// names the tensor, the shape found and the shape wanted; tensors that are
// not the architecture's parameters are refused.
func Import(f *safetensors.File, d Description) (model.Config, map[string][]float32, error) {
	cfg, err := d.Config()
	if err != nil {
		return model.Config{}, nil, err
	}
	if cfg.Kind != model.KindClassifier && !anyPresent(f, optionalParams(cfg)) {
		cfg.Parts = model.PartsDecoder // a decoder or generator alone
	}
	weights := map[string][]float32{}
	var errs []error
	want := map[string]bool{}
	for _, p := range params(cfg) {
		want[p.Name] = true
		shape := slices.Clone(p.Shape)
		if p.TorchTransposed {
			shape = []int{p.Shape[1], p.Shape[0]}
		}
		t, ok := f.Tensor(p.Name)
		if !ok {
			errs = append(errs, fmt.Errorf("tensor %s is missing (want shape %v)", p.Name, shape))
			continue
		}
		if !slices.Equal(t.Shape, shape) {
			errs = append(errs, fmt.Errorf("tensor %s has shape %v, want %v", p.Name, t.Shape, shape))
			continue
		}
		var data []float32
		switch t.DType {
		case safetensors.F32:
			data = t.F32
		case safetensors.F64:
			data = make([]float32, len(t.F64))
			for i, v := range t.F64 {
				data[i] = float32(v)
			}
		default:
			errs = append(errs, fmt.Errorf("tensor %s has dtype %s, want F32 (or F64)", p.Name, t.DType))
			continue
		}
		if i := kernel.FirstNonFiniteOf(data); i >= 0 {
			errs = append(errs, fmt.Errorf("tensor %s has a non-finite value %v at element %d", p.Name, data[i], i))
			continue
		}
		if p.TorchTransposed {
			data = transpose(data, shape[0], shape[1])
		}
		weights[p.Name] = slices.Clone(data)
	}
	var extra []string
	for _, t := range f.Tensors {
		// PyTorch's BatchNorm counts its steps; latentlab keeps no such
		// counter (its momentum is fixed), so the count is not imported.
		if !want[t.Name] && !strings.HasSuffix(t.Name, ".num_batches_tracked") {
			extra = append(extra, t.Name)
		}
	}
	if len(extra) > 0 {
		errs = append(errs, fmt.Errorf("tensors %s are not parameters of a %s with latent_dim %d and hidden %v", quoteAll(extra), cfg.Kind, cfg.LatentDim, cfg.Hidden))
	}
	if len(errs) > 0 {
		return model.Config{}, nil, fmt.Errorf("pytorch: import: %w", errors.Join(errs...))
	}
	return cfg, weights, nil
}

// optionalParams lists the parameters a decoder-only model lacks: the
// encoder's (AE, VAE) or the discriminator's (GAN).
func optionalParams(cfg model.Config) []nn.Param {
	a := model.ArchitectureOf(cfg)
	var out []nn.Param
	for _, l := range slices.Concat(a.Encoder, a.Heads, a.Critic) {
		out = append(out, l.Params()...)
	}
	return out
}

// anyPresent reports whether f holds a tensor of any of ps.
func anyPresent(f *safetensors.File, ps []nn.Param) bool {
	for _, p := range ps {
		if _, ok := f.Tensor(p.Name); ok {
			return true
		}
	}
	return false
}

// params lists the parameters of a model configured by cfg, in order.
func params(cfg model.Config) []nn.Param {
	var out []nn.Param
	for _, l := range model.ArchitectureOf(cfg).Layers() {
		out = append(out, l.Params()...)
	}
	return out
}

// transpose returns the rows x cols row-major matrix m transposed.
func transpose(m []float32, rows, cols int) []float32 {
	out := make([]float32, len(m))
	for r := range rows {
		for c := range cols {
			out[c*rows+r] = m[r*cols+c]
		}
	}
	return out
}

// quoteAll lists names, sorted and quoted, for a message.
func quoteAll(names []string) string {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	out := ""
	for i, n := range slices.Sorted(maps.Keys(set)) {
		if i > 0 {
			out += ", "
		}
		out += strconv.Quote(n)
	}
	return out
}
