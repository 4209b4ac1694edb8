package model

import (
	"errors"
	"fmt"
	"latentlab/model/kernel"
	"math"
	"strings"
)

// Kind names a model family.
type Kind string

// The model families latentlab trains.
const (
	KindAE  Kind = "ae"
	KindVAE Kind = "vae"
	KindGAN Kind = "gan"
	// KindClassifier is the digit classifier behind the sample-quality
	// metrics, not a generative model.
	KindClassifier Kind = "classifier"
)

// Classes is the number of digit classes the classifier tells apart.
const Classes = 10

// ParseKind turns a user's word into a Kind.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case KindAE, KindVAE, KindGAN, KindClassifier:
		return k, nil
	}
	return "", fmt.Errorf("unknown model %q (want ae, vae, gan or classifier)", s)
}

// Optimizer names an update rule.
type Optimizer string

// The optimizers a user can choose.
const (
	Adam    Optimizer = "adam"
	RMSProp Optimizer = "rmsprop"
	SGD     Optimizer = "sgd"
)

// Schedule names a learning-rate decay schedule.
type Schedule string

// The learning-rate schedules. For epoch progress e (fractional) and total
// epochs E: constant lr; step lr*rate^floor(e/every); exp lr*rate^e;
// cosine lr*(1+cos(pi*e/E))/2.
const (
	ScheduleConstant Schedule = "constant"
	ScheduleStep     Schedule = "step"
	ScheduleExp      Schedule = "exp"
	ScheduleCosine   Schedule = "cosine"
)

// Arch names an architecture family.
type Arch string

// The architecture families.
const (
	ArchMLP  Arch = "mlp"
	ArchConv Arch = "conv"
)

// Upsample names how a convolutional decoder or generator doubles its
// images' sides.
type Upsample string

// The up-sampling choices: resize by repeating pixels, then convolve 3x3
// (Odena et al. 2016; the default, "" reads as it), or a transposed
// convolution of 4x4 with stride 2 (Radford et al. 2016's DCGAN).
const (
	UpsampleResize     Upsample = "resize"
	UpsampleTransposed Upsample = "transposed"
)

// ParseUpsample turns a user's word into an Upsample.
func ParseUpsample(s string) (Upsample, error) {
	switch u := Upsample(strings.ToLower(strings.TrimSpace(s))); u {
	case UpsampleResize, UpsampleTransposed:
		return u, nil
	}
	return "", fmt.Errorf("unknown up-sampling %q (want resize or transposed)", s)
}

// ParseArch turns a user's word into an Arch.
func ParseArch(s string) (Arch, error) {
	switch a := Arch(strings.ToLower(strings.TrimSpace(s))); a {
	case ArchMLP, ArchConv:
		return a, nil
	}
	return "", fmt.Errorf("unknown architecture %q (want mlp or conv)", s)
}

// WithArch returns c in architecture family a, with that family's defaults
// for the settings that differ: for conv, the channels (32 and 64 for the
// AE and VAE, as in the PyTorch VAE examples' convolutional variants; 64
// and 128 for DCGAN) and no dropout in DCGAN's discriminator, which has
// batch norm instead.
func (c Config) WithArch(a Arch) Config {
	c.Arch = a
	if a != ArchConv {
		c.Upsample = ""
	}
	d := DefaultConfig(c.Kind)
	c.Hidden, c.Dropout = d.Hidden, d.Dropout
	if a == ArchConv {
		c.Hidden = []int{32, 64}
		if c.Kind == KindGAN {
			c.Hidden, c.Dropout = []int{64, 128}, 0
		}
	}
	return c
}

// Family returns c's architecture family, with "" (checkpoints written
// before the choice existed) read as ArchMLP.
func (c Config) Family() Arch {
	if c.Arch == "" {
		return ArchMLP
	}
	return c.Arch
}

// UpsampleOf returns how c's convolutional decoder up-samples, with ""
// read as UpsampleResize; "" for an MLP.
func (c Config) UpsampleOf() Upsample {
	switch {
	case !c.Conv():
		return ""
	case c.Upsample == "":
		return UpsampleResize
	}
	return c.Upsample
}

// Conv reports whether c is a convolutional model.
func (c Config) Conv() bool { return c.Arch == ArchConv }

// PartsDecoder is Config.Parts for a decoder or generator alone.
const PartsDecoder = "decoder"

// Limits on settings; beyond them a run is refused rather than attempted.
const (
	MaxLatentDim = 256
	MaxHidden    = 4096
	MaxBatchSize = 8192
	MaxEpochs    = 100000
	MaxTrainSize = 1 << 30
	MaxPixels    = 1 << 20 // pixels of an image
)

// Config is everything that defines a training run: the architecture, the
// training settings and the seed. Same Config and data, same weights.
type Config struct {
	Kind      Kind  `json:"kind"`
	ImageRows int   `json:"image_rows"` // set from the data when training starts
	ImageCols int   `json:"image_cols"`
	LatentDim int   `json:"latent_dim"`
	Hidden    []int `json:"hidden"` // encoder (AE, VAE) or generator (GAN) hidden widths; the other half mirrors them
	// Arch is the architecture family: ArchMLP (fully connected; the
	// default, "" reads as it) or ArchConv (convolutional: DCGAN for the
	// GAN, strided convolutions and resize-then-convolve for the AE and
	// VAE; Hidden then holds the channels of the two convolutions of the
	// encoder or discriminator, which the decoder or generator mirrors).
	Arch Arch `json:"arch,omitempty"`
	// Upsample is how a convolutional decoder or generator doubles its
	// images' sides: UpsampleResize ("" reads as it) or
	// UpsampleTransposed. An MLP has none.
	Upsample Upsample `json:"upsample,omitempty"`
	// Parts is "" for a whole model, or PartsDecoder for a decoder (AE,
	// VAE) or generator (GAN) alone, as a model imported without its
	// encoder or discriminator is: it decodes, it does not train.
	Parts string `json:"parts,omitempty"`

	Epochs       int       `json:"epochs"`
	BatchSize    int       `json:"batch_size"`
	Optimizer    Optimizer `json:"optimizer"`
	LearningRate float64   `json:"learning_rate"`
	Beta1        float64   `json:"beta1"`    // Adam's first-moment decay, or SGD's momentum
	Beta2        float64   `json:"beta2"`    // Adam's and RMSProp's second-moment decay
	Schedule     Schedule  `json:"schedule"` // learning-rate decay
	DecayRate    float64   `json:"decay_rate"`
	DecayEvery   int       `json:"decay_every"` // epochs between steps of ScheduleStep
	Dropout      float64   `json:"dropout"`     // drop probability on hidden layers (the discriminator's, for a GAN)
	WeightDecay  float64   `json:"weight_decay"`
	Patience     int       `json:"patience"` // epochs without a better validation loss before stopping; 0 = never stop early

	Beta         float64 `json:"beta"`          // VAE: weight of the KL term
	WarmupEpochs float64 `json:"warmup_epochs"` // VAE: KL weight rises linearly from 0 to Beta over this many epochs

	LabelSmoothing float64 `json:"label_smoothing"` // GAN: real target is 1-LabelSmoothing
	DSteps         int     `json:"d_steps"`         // GAN: discriminator steps per generator step
	// DLearningRate is, for a GAN, the discriminator's learning rate when
	// it differs from the generator's LearningRate (the two time-scale
	// update rule, Heusel et al. 2017); the schedule scales both alike.
	// 0 means the same as LearningRate.
	DLearningRate float64 `json:"d_learning_rate,omitempty"`
	// GeneratorAverage is, for a GAN, the decay per generator step of an
	// exponential moving average of the generator's weights (Yazıcı et al.
	// 2019): snapshots and checkpoints decode with the average, training
	// goes on from the weights themselves. 0 turns it off; 0.999 averages
	// over about the last thousand steps.
	GeneratorAverage float64 `json:"generator_average,omitempty"`

	// TrainSize is how many training images a run learns from: a subset
	// drawn by the seed (TrainingSubset), so that overfitting can be made
	// on purpose; 0 takes them all. The validation images stay whole.
	TrainSize int `json:"train_size,omitempty"`

	Seed uint64 `json:"seed"`
}

// DefaultConfig returns settings close to the classic references for kind.
// AE and VAE: the PyTorch VAE example (Adam 1e-3, summed BCE) with a second
// hidden layer and batches of 64 (784-512-256-z-256-512-784): with the
// example's single 400-unit layer and batches of 128, a 2-D VAE ends ten
// epochs at about 157 nats on the test set; this one at about 143. The GAN:
// an MLP with two LeakyReLU(0.2) hidden layers trained with Adam(2e-4, beta1
// 0.5) as in Radford et al. (2016), with a 16-dimensional z.
func DefaultConfig(kind Kind) Config {
	c := Config{
		Kind:         kind,
		ImageRows:    28,
		ImageCols:    28,
		LatentDim:    2,
		Hidden:       []int{512, 256},
		Epochs:       10,
		BatchSize:    64,
		Optimizer:    Adam,
		LearningRate: 1e-3,
		Beta1:        0.9,
		Beta2:        0.999,
		Schedule:     ScheduleConstant,
		DecayRate:    0.5,
		DecayEvery:   5,
		Beta:         1,
		DSteps:       1,
		Seed:         1,
	}
	if kind == KindGAN {
		// With a 2-D z this MLP GAN collapses to one or two digit shapes
		// within three epochs, even with dropout and label smoothing; with
		// 16 dimensions it keeps the classes apart. Dropout in D and
		// one-sided label smoothing keep D from winning outright.
		c.LatentDim = 16
		c.Hidden = []int{256, 512}
		c.LearningRate = 2e-4
		c.Beta1 = 0.5
		c.Dropout = 0.3
		c.LabelSmoothing = 0.1
	}
	if kind == KindClassifier {
		// 784-512-256-10 with dropout 0.3 and a cosine schedule: 98.4% on
		// the validation split after 15 epochs.
		c.LatentDim = Classes
		c.BatchSize = 128
		c.Dropout = 0.3
		c.Schedule = ScheduleCosine
		c.Epochs = 15
	}
	return c
}

// Validate reports every setting that is out of range, naming the field and
// its value, so a form or a command line can say exactly what to fix.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, v any, why string) {
		errs = append(errs, fmt.Errorf("%s = %v: %s", field, v, why))
	}
	switch c.Kind {
	case KindAE, KindVAE, KindGAN, KindClassifier: // the one spelling a Config holds; ParseKind reads a user's
	default:
		bad("kind", fmt.Sprintf("%q", c.Kind), "want ae, vae, gan or classifier")
	}
	switch c.Arch {
	case "", ArchMLP:
	case ArchConv:
		if len(c.Hidden) != 2 {
			bad("hidden", c.Hidden, "conv takes two channel counts (the encoder's or discriminator's two convolutions)")
		}
		if c.ImageRows%4 != 0 || c.ImageCols%4 != 0 {
			bad("arch", c.Arch, fmt.Sprintf("conv needs image sides divisible by 4, not %dx%d", c.ImageRows, c.ImageCols))
		}
		if c.Kind == KindClassifier {
			bad("arch", c.Arch, "the classifier is an mlp")
		}
	default:
		bad("arch", fmt.Sprintf("%q", c.Arch), "want mlp or conv")
	}
	switch c.Upsample {
	case "":
	case UpsampleResize, UpsampleTransposed:
		if !c.Conv() {
			bad("upsample", c.Upsample, "only a conv model up-samples")
		}
	default:
		bad("upsample", fmt.Sprintf("%q", c.Upsample), "want resize or transposed")
	}
	if c.Parts != "" && (c.Parts != PartsDecoder || c.Kind == KindClassifier) {
		bad("parts", fmt.Sprintf("%q", c.Parts), `want "" (the whole model) or "decoder" (ae, vae, gan)`)
	}
	// Each side is bounded before the product, which cannot overflow then.
	if c.ImageRows < 1 || c.ImageCols < 1 || c.ImageRows > MaxPixels || c.ImageCols > MaxPixels || c.ImageRows*c.ImageCols > MaxPixels {
		bad("image size", fmt.Sprintf("%dx%d", c.ImageRows, c.ImageCols), "must be positive and at most 1M pixels")
	}
	if c.LatentDim < 1 || c.LatentDim > MaxLatentDim {
		bad("latent_dim", c.LatentDim, fmt.Sprintf("must be between 1 and %d", MaxLatentDim))
	}
	if len(c.Hidden) == 0 || len(c.Hidden) > 4 {
		bad("hidden", c.Hidden, "need 1 to 4 hidden layers")
	}
	for _, h := range c.Hidden {
		if h < 1 || h > MaxHidden {
			bad("hidden", c.Hidden, fmt.Sprintf("widths must be between 1 and %d", MaxHidden))
			break
		}
	}
	if c.TrainSize < 0 || c.TrainSize > MaxTrainSize {
		bad("train_size", c.TrainSize, fmt.Sprintf("must be 0 (every training image) or between 1 and %d", MaxTrainSize))
	}
	if c.Epochs < 0 || c.Epochs > MaxEpochs {
		bad("epochs", c.Epochs, fmt.Sprintf("must be between 0 and %d", MaxEpochs))
	}
	if c.BatchSize < 1 || c.BatchSize > MaxBatchSize {
		bad("batch_size", c.BatchSize, fmt.Sprintf("must be between 1 and %d", MaxBatchSize))
	}
	switch c.Optimizer {
	case Adam, RMSProp, SGD:
	default:
		bad("optimizer", fmt.Sprintf("%q", c.Optimizer), "want adam, rmsprop or sgd")
	}
	if !kernel.IsFinite(c.LearningRate) || c.LearningRate <= 0 || c.LearningRate > 10 {
		bad("learning_rate", c.LearningRate, "must be a number above 0 and at most 10")
	}
	if !kernel.IsFinite(c.Beta1) || c.Beta1 < 0 || c.Beta1 >= 1 {
		bad("beta1", c.Beta1, "must be in [0, 1)")
	}
	if !kernel.IsFinite(c.Beta2) || c.Beta2 < 0 || c.Beta2 >= 1 {
		bad("beta2", c.Beta2, "must be in [0, 1)")
	}
	switch c.Schedule {
	case ScheduleConstant, ScheduleStep, ScheduleExp, ScheduleCosine:
	default:
		bad("schedule", fmt.Sprintf("%q", c.Schedule), "want constant, step, exp or cosine")
	}
	if !kernel.IsFinite(c.DecayRate) || c.DecayRate <= 0 || c.DecayRate > 1 {
		bad("decay_rate", c.DecayRate, "must be in (0, 1]")
	}
	if c.DecayEvery < 1 {
		bad("decay_every", c.DecayEvery, "must be at least 1 epoch")
	}
	if !kernel.IsFinite(c.Dropout) || c.Dropout < 0 || c.Dropout >= 1 {
		bad("dropout", c.Dropout, "must be in [0, 1)")
	}
	if !kernel.IsFinite(c.WeightDecay) || c.WeightDecay < 0 || c.WeightDecay > 1 {
		bad("weight_decay", c.WeightDecay, "must be in [0, 1]")
	}
	if c.Patience < 0 {
		bad("patience", c.Patience, "must be 0 (off) or more epochs")
	}
	if !kernel.IsFinite(c.Beta) || c.Beta < 0 || c.Beta > 1000 {
		bad("beta", c.Beta, "must be in [0, 1000]")
	}
	if !kernel.IsFinite(c.WarmupEpochs) || c.WarmupEpochs < 0 {
		bad("warmup_epochs", c.WarmupEpochs, "must be 0 (off) or more")
	}
	if !kernel.IsFinite(c.LabelSmoothing) || c.LabelSmoothing < 0 || c.LabelSmoothing >= 0.5 {
		bad("label_smoothing", c.LabelSmoothing, "must be in [0, 0.5)")
	}
	if !kernel.IsFinite(c.GeneratorAverage) || c.GeneratorAverage < 0 || c.GeneratorAverage >= 1 {
		bad("generator_average", c.GeneratorAverage, "must be in [0, 1) (0: off)")
	}
	if !kernel.IsFinite(c.DLearningRate) || c.DLearningRate < 0 || c.DLearningRate > 10 {
		bad("d_learning_rate", c.DLearningRate, "must be in [0, 10] (0: the learning rate)")
	}
	if c.DSteps < 1 || c.DSteps > 100 {
		bad("d_steps", c.DSteps, "must be between 1 and 100")
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid settings: %w", errors.Join(errs...))
	}
	return nil
}

// NeedsRebuild reports whether moving from c to next needs a new trainer
// (a new graph, new weights or new optimizer state), rather than a change
// of settings on the running one.
func (c Config) NeedsRebuild(next Config) bool {
	if c.Kind != next.Kind || c.Family() != next.Family() || c.UpsampleOf() != next.UpsampleOf() || c.Parts != next.Parts || c.ImageRows != next.ImageRows || c.ImageCols != next.ImageCols || c.LatentDim != next.LatentDim || c.BatchSize != next.BatchSize ||
		c.Dropout != next.Dropout || c.Seed != next.Seed || c.Optimizer != next.Optimizer || c.TrainSize != next.TrainSize || len(c.Hidden) != len(next.Hidden) {
		return true
	}
	for i := range c.Hidden {
		if c.Hidden[i] != next.Hidden[i] {
			return true
		}
	}
	return false
}

// LearningRateAt returns the learning rate after the given fractional number
// of epochs under the configured schedule.
func (c Config) LearningRateAt(epochs float64) float64 {
	switch c.Schedule {
	case ScheduleStep:
		return c.LearningRate * math.Pow(c.DecayRate, math.Floor(epochs/float64(c.DecayEvery)))
	case ScheduleExp:
		return c.LearningRate * math.Pow(c.DecayRate, epochs)
	case ScheduleCosine:
		if c.Epochs == 0 {
			return c.LearningRate
		}
		p := math.Min(epochs/float64(c.Epochs), 1)
		return c.LearningRate * (1 + math.Cos(math.Pi*p)) / 2
	}
	return c.LearningRate
}

// DLearningRateAt returns the GAN discriminator's learning rate after the
// given fractional number of epochs: LearningRateAt scaled by
// DLearningRate / LearningRate, or LearningRateAt itself when
// DLearningRate is 0.
func (c Config) DLearningRateAt(epochs float64) float64 {
	lr := c.LearningRateAt(epochs)
	if c.DLearningRate == 0 || c.LearningRate == 0 {
		return lr
	}
	return lr * c.DLearningRate / c.LearningRate
}

// KLWeightAt returns the VAE's KL weight after the given fractional number of
// epochs: Beta, reached linearly over WarmupEpochs.
func (c Config) KLWeightAt(epochs float64) float64 {
	if c.WarmupEpochs <= 0 || epochs >= c.WarmupEpochs {
		return c.Beta
	}
	return c.Beta * epochs / c.WarmupEpochs
}
