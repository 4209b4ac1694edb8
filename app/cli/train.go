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
	"syscall"

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
	kind, out, data, optimizer, schedule, hidden, arch string
	upsample                                           string
	latentDim, epochs, batch, decayEvery               int
	patience, dSteps, validation, trainSize            int
	seed                                               uint64
	lr, beta1, beta2, decayRate, dropout               float64
	weightDecay, beta, warmup, smoothing, average, dLR float64
	quiet, force                                       bool
	resume                                             string
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
	fs.StringVar(&f.arch, "arch", "mlp", "architecture: mlp, or conv (convolutional: DCGAN for gan; --hidden gives its two channel counts, default 32,64, or 64,128 for gan)")
	fs.StringVar(&f.upsample, "upsample", string(model.UpsampleResize), "conv: how the decoder or generator doubles its images' sides: resize (then a 3x3 convolution) or transposed (a 4x4 transposed convolution)")
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
	fs.Float64Var(&f.dLR, "d-lr", 0, "gan: the discriminator's learning rate, when it differs from --lr (two time-scale updates; 0: --lr)")
	fs.Float64Var(&f.average, "generator-average", 0, "gan: decay of the moving average of the generator's weights that samples and checkpoints use (0: off)")
	fs.IntVar(&f.validation, "validation", app.ValidationImages, "training images held out for validation (0: none)")
	fs.IntVar(&f.trainSize, "train-size", 0, "learn from this many of the training images, a subset drawn by --seed (0: all); a few hundred overfit on purpose")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	fs.StringVar(&f.resume, "resume", "", "checkpoint to continue training, exactly where it stopped (its settings, seed and data split; --epochs sets the total)")
	fs.BoolVar(&f.force, "force", false, "replace the checkpoint already in --out with a new run")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: latentlab train --model ae|vae|gan [flags]\n       latentlab train --resume FILE [--epochs N] [--out DIR] [--data DIR]\n\n"+
			"A run writes DIR/<model>.safetensors. It refuses to start over a checkpoint already there unless --resume\n"+
			"continues that one or --force replaces it. Interrupted (Ctrl-C), it saves what it learned, but never over\n"+
			"a checkpoint it did not make: after --force it saves DIR/<model>-interrupted.safetensors instead.\n\nflags:")
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
	if set["arch"] {
		arch, err := model.ParseArch(f.arch)
		if err != nil {
			return model.Config{}, usagef("--arch: %v", err)
		}
		c = c.WithArch(arch)
	}
	if set["upsample"] {
		up, err := model.ParseUpsample(f.upsample)
		if err != nil {
			return model.Config{}, usagef("--upsample: %v", err)
		}
		if c.Conv() || up != model.UpsampleResize { // an mlp has none; transposed is refused below
			c.Upsample = up
		}
	}
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
	c.WeightDecay, c.Patience, c.TrainSize = f.weightDecay, f.patience, f.trainSize
	c.Beta, c.WarmupEpochs, c.DSteps = f.beta, f.warmup, f.dSteps
	if set["dropout"] {
		c.Dropout = f.dropout
	}
	if set["label-smoothing"] {
		c.LabelSmoothing = f.smoothing
	}
	if set["generator-average"] {
		c.GeneratorAverage = f.average
	}
	if set["d-lr"] {
		c.DLearningRate = f.dLR
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
		"warmup_epochs", "--warmup", "train_size", "--train-size", "label_smoothing", "--label-smoothing", "d_steps", "--d-steps",
		"epochs =", "--epochs =", "optimizer =", "--optimizer =", "schedule =", "--schedule =", "dropout =", "--dropout =",
		"patience =", "--patience =", "beta1 =", "--beta1 =", "beta2 =", "--beta2 =", "beta =", "--beta =", "hidden =", "--hidden =", "upsample =", "--upsample =")
	return r.Replace(msg)
}

// resumeFlags are the flags that may go with --resume: the rest are the
// run's settings, which come from the checkpoint.
var resumeFlags = map[string]bool{"resume": true, "epochs": true, "out": true, "data": true, "quiet": true, "model": true}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f trainFlags
	set, err := parseFlags(newTrainFlagSet(&f), args, stderr)
	if err != nil {
		return err
	}
	// Everything the command line says is checked before any work.
	if f.validation < 0 {
		return usagef("--validation %d: must be 0 (no validation) or more", f.validation)
	}
	if set["resume"] && set["force"] {
		return usagef("--resume and --force: give one (--resume continues a run, --force replaces one)")
	}
	var (
		cfg    model.Config
		resume *checkpoint.Checkpoint
	)
	if set["resume"] {
		if resume, cfg, err = f.resumed(set); err != nil {
			return err
		}
	} else if cfg, err = f.config(set); err != nil {
		return err
	}
	name := string(cfg.Kind)
	ckPath := filepath.Join(f.out, name+".safetensors")
	if !set["out"] && resume != nil {
		// A resumed run goes on in its own file, with its metrics and
		// pictures beside it.
		ckPath, f.out = f.resume, filepath.Dir(f.resume)
	}
	existed, err := checkTarget(ckPath, f.resume, f.force)
	if err != nil {
		return err
	}
	if err := checkWritable(filepath.Dir(ckPath)); err != nil {
		return err
	}

	holdout := f.validation
	if resume != nil {
		if src, ok := resume.Source(); ok {
			holdout = src.Validation // the run's own split
		}
	}
	data, err := app.LoadData(f.data, holdout, cfg.Seed)
	if err != nil {
		return fmt.Errorf("--data: %w", err)
	}
	trainSet, valSet := data.Train, data.Val
	if cfg.BatchSize > trainSet.Len() {
		return usagef("--batch-size %d is larger than the %d training images of %s", cfg.BatchSize, trainSet.Len(), data.Source.Name)
	}
	var tr *train.Trainer
	if resume != nil {
		if err := app.SameData(f.resume, resume, data.Source); err != nil {
			return err
		}
		if tr, err = resume.Trainer(trainSet, valSet); err != nil {
			return err
		}
		if err := tr.UpdateSettings(cfg); err != nil {
			tr.Close()
			return err
		}
	} else if tr, err = train.NewTrainer(cfg, trainSet, valSet); err != nil {
		return err
	}
	defer tr.Close()

	start := tr.Progress().Step
	fmt.Fprintf(stderr, "training %s: latent dim %d, %d parameters, %d training / %d validation / %d test images, %d epochs",
		name, cfg.LatentDim, tr.ParamCount(), trainSet.Len(), valLen(valSet), data.Test.Len(), cfg.Epochs)
	if resume != nil {
		fmt.Fprintf(stderr, ", resumed from %s at epoch %d, step %d", f.resume, resume.Epoch(), resume.Step())
	}
	fmt.Fprintln(stderr)
	bar := newProgressBar(stderr, f.quiet)
	trainErr := tr.Train(ctx, bar.update)
	bar.finish()
	if trainErr != nil {
		if errors.Is(trainErr, context.Canceled) {
			saveInterrupted(tr, data.Source, ckPath, existed && f.force, start, stderr)
		}
		return fmt.Errorf("training stopped: %w", trainErr)
	}
	if err := checkpoint.Save(tr, data.Source, ckPath); err != nil {
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
		if pics, err = writePictures(snap, data.Train, data.Test, f.out, cfg.Seed); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "wrote %s\n", strings.Join(append([]string{ckPath, metricsPath}, pics...), ", "))
	return printJSON(stdout, metrics)
}

// resumed loads the checkpoint of --resume and returns it with its config,
// the total epochs set by --epochs if given.
func (f *trainFlags) resumed(set map[string]bool) (*checkpoint.Checkpoint, model.Config, error) {
	for name := range set {
		if !resumeFlags[name] {
			return nil, model.Config{}, usagef("--%s cannot change a resumed run: its settings come from %s (drop the flag, or start a new run)", name, f.resume)
		}
	}
	ck, err := checkpoint.Load(f.resume)
	if err != nil {
		return nil, model.Config{}, fmt.Errorf("--resume: %w", err)
	}
	if ck.WeightsOnly() {
		return nil, model.Config{}, usagef("--resume %s holds weights only, no optimizer state, so its run cannot go on exactly: evaluate or explore it, or start a new run", f.resume)
	}
	cfg := ck.Config
	if set["model"] {
		if kind, err := model.ParseKind(f.kind); err != nil || kind != cfg.Kind {
			return nil, model.Config{}, usagef("--model %s: %s holds a model of kind %s", f.kind, f.resume, cfg.Kind)
		}
	}
	if set["epochs"] {
		if f.epochs < ck.Epoch() {
			return nil, model.Config{}, usagef("--epochs %d: %s has already trained %d epochs (--epochs is the total)", f.epochs, f.resume, ck.Epoch())
		}
		cfg.Epochs = f.epochs
	}
	if err := cfg.Validate(); err != nil {
		return nil, model.Config{}, usagef("%s", flagNames(err.Error()))
	}
	return ck, cfg, nil
}

// checkTarget applies the rule that a run never destroys what it did not
// make: it refuses a checkpoint already at path unless the run resumes
// that very file or force replaces it. It reports whether path exists.
func checkTarget(path, resume string, force bool) (existed bool, err error) {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if errors.Is(err, syscall.ENOTDIR) {
		return false, fmt.Errorf("--out %s: part of the path is a file, not a folder", filepath.Dir(path))
	}
	if err != nil {
		return false, fmt.Errorf("--out %s: %w", filepath.Dir(path), err)
	}
	if info.IsDir() {
		return true, usagef("--out: %s is a directory, not a checkpoint file", path)
	}
	if resume != "" && sameFile(path, resume) || force {
		return true, nil
	}
	what := "a checkpoint"
	if ck, err := checkpoint.Load(path); err == nil {
		what = fmt.Sprintf("a checkpoint (%s, %d epochs, step %d)", ck.Config.Kind, ck.Epoch(), ck.Step())
	}
	return true, usagef("%s already holds %s: continue it with --resume %s, replace it with --force, or choose another --out", path, what, path)
}

// fileExists reports whether something exists at path.
func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// sameFile reports whether paths a and b name the same file.
func sameFile(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// checkWritable makes dir if it is missing and checks that a file can be
// created in it, so that a run does not find out at its end.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".latentlab-write-test-*")
	if err != nil {
		return fmt.Errorf("--out %s is not writable: %w", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// saveInterrupted keeps what an interrupted run learned: nothing if it took
// no step; beside path, never over it, if path held a checkpoint this run
// did not make (replaced); else at path, which then holds this run or the
// one it resumed, with less training.
func saveInterrupted(tr *train.Trainer, src dataset.Source, path string, replaced bool, start int64, stderr io.Writer) {
	steps := tr.Progress().Step - start
	if steps == 0 {
		fmt.Fprintf(stderr, "interrupted before the first step: nothing saved\n")
		return
	}
	if replaced {
		base := strings.TrimSuffix(path, ".safetensors") + "-interrupted"
		path = base + ".safetensors"
		for i := 2; fileExists(path); i++ { // nor over an earlier interrupted run
			path = fmt.Sprintf("%s-%d.safetensors", base, i)
		}
	}
	if err := checkpoint.Save(tr, src, path); err != nil {
		fmt.Fprintf(stderr, "could not save the interrupted run: %v\n", err)
		return
	}
	fmt.Fprintf(stderr, "saved the interrupted run (%d steps this run) to %s; continue it with --resume %s\n", steps, path, path)
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
