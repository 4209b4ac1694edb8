package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"latentlab/app"
	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/dataset"
	"latentlab/model/infra/safefile"
	"latentlab/model/measure"
	"latentlab/model/train"
)

// trainFlags are the flags of `latentlab train`.
type trainFlags struct {
	kind, out, data, optimizer, schedule, hidden string
	latentDim, epochs, batch, decayEvery         int
	patience, dSteps, validation                 int
	seed                                         uint64
	lr, beta1, beta2, decayRate, dropout         float64
	weightDecay, beta, warmup, smoothing         float64
	quiet                                        bool
}

func newTrainFlagSet(f *trainFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	d := model.DefaultConfig(model.KindVAE)
	fs.StringVar(&f.kind, "model", "", "model to train: ae, vae, gan, or classifier (the digit classifier behind the quality metrics) (required)")
	fs.IntVar(&f.latentDim, "latent-dim", 0, "dimension of the latent space z (default 2 for ae/vae, 16 for gan)")
	fs.IntVar(&f.epochs, "epochs", d.Epochs, "passes over the training images (15 for the classifier)")
	fs.Uint64Var(&f.seed, "seed", d.Seed, "seed of every random draw (same seed, same run)")
	fs.StringVar(&f.out, "out", ".", "directory for the checkpoint, metrics and pictures")
	fs.StringVar(&f.data, "data", "", "directory of IDX files (train-images-idx3-ubyte[.gz], ...) instead of the embedded MNIST")
	fs.StringVar(&f.hidden, "hidden", "", "hidden layer widths, comma-separated (default 512,256 for ae/vae, 256,512 for gan)")
	fs.IntVar(&f.batch, "batch-size", 0, "images per step (default 64)")
	fs.StringVar(&f.optimizer, "optimizer", string(d.Optimizer), "adam, rmsprop or sgd (with momentum --beta1)")
	fs.Float64Var(&f.lr, "lr", 0, "learning rate (default 1e-3 for ae/vae, 2e-4 for gan)")
	fs.Float64Var(&f.beta1, "beta1", 0, "Adam's beta1 or SGD's momentum (default 0.9; 0.5 for gan)")
	fs.Float64Var(&f.beta2, "beta2", d.Beta2, "Adam's beta2 or RMSProp's decay")
	fs.StringVar(&f.schedule, "schedule", string(d.Schedule), "learning-rate decay: constant, step, exp or cosine (cosine for the classifier)")
	fs.Float64Var(&f.decayRate, "decay-rate", d.DecayRate, "factor of the step and exp schedules")
	fs.IntVar(&f.decayEvery, "decay-every", d.DecayEvery, "epochs between steps of the step schedule")
	fs.Float64Var(&f.dropout, "dropout", 0, "drop probability on hidden layers (default 0; 0.3 on the discriminator's for gan)")
	fs.Float64Var(&f.weightDecay, "weight-decay", 0, "L2 weight decay on weight matrices")
	fs.IntVar(&f.patience, "patience", 0, "stop after this many epochs without a better validation loss (0: off; ae/vae)")
	fs.Float64Var(&f.beta, "beta", d.Beta, "vae: weight of the KL term")
	fs.Float64Var(&f.warmup, "warmup", 0, "vae: epochs over which the KL weight rises from 0 to --beta")
	fs.Float64Var(&f.smoothing, "label-smoothing", 0, "gan: real target 1-s for the discriminator (default 0.1)")
	fs.IntVar(&f.dSteps, "d-steps", d.DSteps, "gan: discriminator steps per generator step")
	fs.IntVar(&f.validation, "validation", app.ValidationImages, "training images held out for validation (0: none)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: latentlab train --model ae|vae|gan [flags]\n\nflags:")
		fs.PrintDefaults()
	}
	return fs
}

// config turns the flags into a Config, starting from the model's defaults
// and overriding what was given.
func (f *trainFlags) config(set map[string]bool) (model.Config, error) {
	if !set["model"] {
		return model.Config{}, usagef("--model is required (ae, vae or gan)")
	}
	kind, err := model.ParseKind(f.kind)
	if err != nil {
		return model.Config{}, usagef("--model: %v", err)
	}
	c := model.DefaultConfig(kind)
	c.Seed = f.seed
	if set["epochs"] {
		c.Epochs = f.epochs
	}
	if set["latent-dim"] {
		c.LatentDim = f.latentDim
	}
	c.Optimizer = model.Optimizer(strings.ToLower(f.optimizer))
	if set["schedule"] {
		c.Schedule = model.Schedule(strings.ToLower(f.schedule))
	}
	c.Beta2, c.DecayRate, c.DecayEvery = f.beta2, f.decayRate, f.decayEvery
	c.WeightDecay, c.Patience = f.weightDecay, f.patience
	c.Beta, c.WarmupEpochs, c.DSteps = f.beta, f.warmup, f.dSteps
	if set["dropout"] {
		c.Dropout = f.dropout
	}
	if set["label-smoothing"] {
		c.LabelSmoothing = f.smoothing
	}
	if set["batch-size"] {
		c.BatchSize = f.batch
	}
	if set["lr"] {
		c.LearningRate = f.lr
	}
	if set["beta1"] {
		c.Beta1 = f.beta1
	}
	if set["hidden"] {
		c.Hidden = nil
		for _, part := range strings.Split(f.hidden, ",") {
			h, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil {
				return model.Config{}, usagef("--hidden %q: %q is not a whole number", f.hidden, part)
			}
			c.Hidden = append(c.Hidden, h)
		}
	}
	if err := c.Validate(); err != nil {
		return model.Config{}, usagef("%s", flagNames(err.Error()))
	}
	return c, nil
}

// flagNames rewrites Config field names in a validation message as the
// flags a user typed.
func flagNames(msg string) string {
	r := strings.NewReplacer("learning_rate", "--lr", "latent_dim", "--latent-dim", "batch_size", "--batch-size",
		"decay_rate", "--decay-rate", "decay_every", "--decay-every", "weight_decay", "--weight-decay",
		"warmup_epochs", "--warmup", "label_smoothing", "--label-smoothing", "d_steps", "--d-steps",
		"epochs =", "--epochs =", "optimizer =", "--optimizer =", "schedule =", "--schedule =", "dropout =", "--dropout =",
		"patience =", "--patience =", "beta1 =", "--beta1 =", "beta2 =", "--beta2 =", "beta =", "--beta =", "hidden =", "--hidden =")
	return r.Replace(msg)
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f trainFlags
	set, err := parseFlags(newTrainFlagSet(&f), args, stderr)
	if err != nil {
		return err
	}
	cfg, err := f.config(set)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", f.out, err)
	}
	if f.validation < 0 {
		return usagef("--validation %d: must be 0 or more", f.validation)
	}
	data, err := app.LoadData(f.data, f.validation, cfg.Seed)
	if err != nil {
		return err
	}
	trainSet, valSet := data.Train, data.Val
	if cfg.BatchSize > trainSet.Len() {
		return usagef("--batch-size %d is larger than the %d training images", cfg.BatchSize, trainSet.Len())
	}
	tr, err := train.NewTrainer(cfg, trainSet, valSet)
	if err != nil {
		return err
	}
	defer tr.Close()

	name := string(cfg.Kind)
	ckPath := filepath.Join(f.out, name+".safetensors")
	fmt.Fprintf(stderr, "training %s: latent dim %d, %d parameters, %d training / %d validation / %d test images, %d epochs\n",
		name, cfg.LatentDim, tr.ParamCount(), trainSet.Len(), valLen(valSet), data.Test.Len(), cfg.Epochs)
	bar := newProgressBar(stderr, f.quiet)
	trainErr := tr.Train(ctx, bar.update)
	bar.finish()
	if trainErr != nil {
		// Keep what was learned: an interrupted run is saved and can be inspected.
		if errors.Is(trainErr, context.Canceled) {
			if err := checkpoint.Save(tr, ckPath); err == nil {
				fmt.Fprintf(stderr, "saved the partly trained model to %s\n", ckPath)
			}
		}
		return fmt.Errorf("training stopped: %w", trainErr)
	}
	if err := checkpoint.Save(tr, ckPath); err != nil {
		return err
	}
	snap := tr.Snapshot()
	metrics, err := measure.Measure(snap, data.Test, tr.Progress().Stats(), cfg.Seed)
	if err != nil {
		return fmt.Errorf("measure on the test set: %w", err)
	}
	metricsPath := filepath.Join(f.out, name+"-metrics.json")
	if err := writeJSON(metricsPath, metrics); err != nil {
		return err
	}
	var pics []string
	if cfg.Kind != model.KindClassifier {
		if pics, err = writePictures(snap, data.Test, f.out, cfg.Seed); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "wrote %s\n", strings.Join(append([]string{ckPath, metricsPath}, pics...), ", "))
	return printJSON(stdout, metrics)
}

func valLen(s *dataset.Set) int {
	if s == nil {
		return 0
	}
	return s.Len()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	b = append(b, '\n')
	return safefile.WriteFile(path, func(w io.Writer) error { _, err := w.Write(b); return err })
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
