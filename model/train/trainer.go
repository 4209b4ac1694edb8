package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gorgonia.org/tensor"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/infra/openblas"
	"latentlab/model/kernel"
	"latentlab/model/measure"
	"latentlab/model/nn"
)

// snapshotEvery is how often, in training time, a new Snapshot is
// published: as often as the app's status frames and the decoded digit's
// refresh (10 a second), no more. Each snapshot is a copy of every weight,
// about 4 MB for the default dense models, so at 20 a second three
// trainers made about 250 MB/s of garbage for the collector.
const snapshotEvery = 100 * time.Millisecond

// ErrRunning is returned when Train is called while the trainer is training.
var ErrRunning = errors.New("train: trainer is already training")

// Trainer trains one model. Train runs in the caller's goroutine, which owns
// the graphs while it runs; pausing is cancelling its context, and calling
// Train again resumes exactly where it stopped, mid-epoch included. Other
// goroutines read the model only through Snapshot and Progress.
//
// Every random draw (initial weights, epoch order, noise, dropout) comes from
// a source seeded by the Config's seed and the step number, so a run is
// reproducible from its seed, across pauses and checkpoints.
type Trainer struct {
	mu         sync.Mutex // held for each step; checkpoints wait for it
	settingsMu sync.Mutex // guards cfg against readers and pending; never held for long
	running    atomic.Bool

	cfg        model.Config
	pending    *model.Config // settings waiting for the next step (settingsMu)
	arch       model.Architecture
	dt         tensor.Dtype
	train, val *dataset.Set
	params     *nn.ParamSet

	auto       *stepGraph // AE and VAE
	disc, gen  *stepGraph // GAN
	opt        *optimizer // AE, VAE
	optD, optG *optimizer // GAN
	avg        *average   // GAN with Config.GeneratorAverage: the generator's averaged weights

	step    int64
	epoch   int
	batch   int // batches done in the current epoch
	perm    []int
	permFor int // epoch the permutation was drawn for; -1 if none

	bestVal   float64
	badEpochs int
	best      map[string][]float64 // weights at the best validation loss
	stopped   bool                 // early stopping ended the run
	failed    error

	trainSeconds float64 // time spent in training steps, over all runs
	samples      int64   // training images seen

	snap     atomic.Pointer[infer.Snapshot]
	progress atomic.Pointer[Progress]
}

// Progress is where a trainer stands; safe to read from any goroutine.
type Progress struct {
	Step         int64
	Epoch        int
	Batch        int
	Batches      int
	Epochs       int
	Finished     bool // the configured epochs are done or early stopping ended the run
	Failed       error
	LastEvent    Event
	BestValLoss  float64
	ParamCount   int
	TrainSamples int
	TrainSeconds float64 // time spent in training steps, over all runs
	Samples      int64   // training images seen
}

// NewTrainer builds the graphs for cfg and initialises the weights from its
// seed. val may be nil, in which case there is no validation loss and no
// early stopping. The image size is taken from train.
func NewTrainer(cfg model.Config, train, val *dataset.Set) (*Trainer, error) {
	return newTrainer(cfg, train, val, tensor.Float32)
}

// newTrainer is NewTrainer in dtype dt: float32 to train, float64 for
// gradient checks against finite differences.
func newTrainer(cfg model.Config, train, val *dataset.Set, dt tensor.Dtype) (*Trainer, error) {
	openblas.Install()
	if train == nil || train.Len() == 0 {
		return nil, fmt.Errorf("train: new trainer: no training images")
	}
	cfg.ImageRows, cfg.ImageCols = train.Rows, train.Cols
	cfg.Hidden = slices.Clone(cfg.Hidden)
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("train: new %s trainer: %w", cfg.Kind, err)
	}
	if cfg.Parts == model.PartsDecoder {
		return nil, fmt.Errorf("train: a %s without its encoder or discriminator (decoder only) decodes and is measured, but cannot be trained", cfg.Kind)
	}
	if cfg.TrainSize > train.Len() {
		return nil, fmt.Errorf("train: new %s trainer: train_size = %d is more than the %d training images", cfg.Kind, cfg.TrainSize, train.Len())
	}
	if cfg.TrainSize > 0 {
		train = TrainingSubset(train, cfg.TrainSize, cfg.Seed)
	}
	if cfg.BatchSize > train.Len() {
		return nil, fmt.Errorf("train: new %s trainer: batch_size = %d is larger than the %d training images", cfg.Kind, cfg.BatchSize, train.Len())
	}
	if val != nil && (val.Len() == 0 || val.Dim() != train.Dim()) {
		return nil, fmt.Errorf("train: new %s trainer: validation set has %d images of %d pixels; training images have %d pixels", cfg.Kind, val.Len(), val.Dim(), train.Dim())
	}
	t := &Trainer{cfg: cfg, arch: model.ArchitectureOf(cfg), dt: dt, train: train, val: val, permFor: -1, bestVal: math.Inf(1)}
	t.params = nn.NewParamSet(t.arch.Layers(), dt, cfg.Seed)
	if err := t.buildGraphs(); err != nil {
		return nil, err
	}
	t.followAverage()
	t.publish()
	t.setProgress(Event{Model: cfg.Kind, Batches: t.batches()})
	return t, nil
}

// TrainingSubset returns the n images of train a run with Config.TrainSize
// n and seed learns from: drawn without replacement by the seed, kept in
// their order in train; all of train when n is 0 or covers it.
func TrainingSubset(train *dataset.Set, n int, seed uint64) *dataset.Set {
	if n <= 0 || n >= train.Len() {
		return train
	}
	idx := rand.New(rand.NewPCG(seed, 0x5b5e7)).Perm(train.Len())[:n]
	slices.Sort(idx)
	return train.Subset(idx)
}

// graphConstruction serialises the building of gorgonia graphs: gorgonia's
// node constructors share package state without a lock (the counter of
// internal/encoding.NewGroup), so two trainers built at once race. Running
// graphs that are built is safe in parallel.
var graphConstruction sync.Mutex

// buildGraphs builds the training graphs of t's kind and their optimizers.
func (t *Trainer) buildGraphs() error {
	graphConstruction.Lock()
	defer graphConstruction.Unlock()
	cfg, dt := t.cfg, t.dt
	var err error
	switch cfg.Kind {
	case model.KindGAN:
		if t.disc, t.gen, err = buildGANSteps(cfg, t.arch, t.params, dt, cfg.BatchSize); err != nil {
			return err
		}
		t.optD = newOptimizer(cfg, t.params, t.disc.names)
		t.optG = newOptimizer(cfg, t.params, t.gen.names)
	case model.KindClassifier:
		if t.auto, err = buildClassifierStep(cfg, t.arch, t.params, dt, cfg.BatchSize); err != nil {
			return err
		}
		t.opt = newOptimizer(cfg, t.params, t.auto.names)
	default:
		if t.auto, err = buildAutoencoderStep(cfg, t.arch, t.params, dt, cfg.BatchSize); err != nil {
			return err
		}
		t.opt = newOptimizer(cfg, t.params, t.auto.names)
	}
	return nil
}

// Config returns the trainer's configuration.
// It never waits for a training step.
func (t *Trainer) Config() model.Config {
	t.settingsMu.Lock()
	defer t.settingsMu.Unlock()
	c := t.cfg
	if t.pending != nil {
		c = *t.pending
	}
	c.Hidden = slices.Clone(c.Hidden)
	return c
}

// Snapshot returns the newest published weights. It never blocks.
func (t *Trainer) Snapshot() *infer.Snapshot { return t.snap.Load() }

// Progress returns where training stands. It never blocks.
func (t *Trainer) Progress() Progress { return *t.progress.Load() }

// ParamCount returns the number of trained scalars.
func (t *Trainer) ParamCount() int { return t.params.Count() }

// UpdateSettings changes settings that need no new graph (learning rates and
// their schedule, optimizer hyperparameters, epochs, weight decay, beta and its
// warm-up, label smoothing, D steps, patience). It refuses changes that need
// a new trainer, naming them. The change takes effect before the next step.
func (t *Trainer) UpdateSettings(next model.Config) error {
	t.settingsMu.Lock()
	defer t.settingsMu.Unlock()
	cur := t.cfg
	if t.pending != nil {
		cur = *t.pending
	}
	next.ImageRows, next.ImageCols = cur.ImageRows, cur.ImageCols
	if cur.NeedsRebuild(next) {
		return fmt.Errorf("train: kind, architecture, up-sampling, image size, latent dimension, hidden layers, batch size, dropout, optimizer, training images and seed need a reset to change")
	}
	if err := next.Validate(); err != nil {
		return err
	}
	next.Hidden = slices.Clone(next.Hidden)
	t.pending = &next
	return nil
}

// applyPending makes settings from UpdateSettings current. Called by the
// training goroutine with t.mu held, so t.cfg only ever changes there, and
// under settingsMu, so that Config reads it whole.
func (t *Trainer) applyPending() {
	t.settingsMu.Lock()
	defer t.settingsMu.Unlock()
	if t.pending == nil {
		return
	}
	t.cfg = *t.pending
	t.pending = nil
	for _, o := range []*optimizer{t.opt, t.optD, t.optG} {
		if o != nil {
			o.beta1, o.beta2, o.weightDecay = t.cfg.Beta1, t.cfg.Beta2, t.cfg.WeightDecay
		}
	}
	t.stopped = false
	t.followAverage()
}

// followAverage starts the generator's average when the config asks for
// one and there is none (from the current weights), and drops it when the
// config no longer does.
func (t *Trainer) followAverage() {
	switch {
	case t.cfg.Kind != model.KindGAN || t.cfg.GeneratorAverage == 0:
		t.avg = nil
	case t.avg == nil:
		t.avg = newAverage(t.params, t.gen.names, recalibratedBuffers(t.cfg))
	}
}

// Close releases the graphs' machines. The trainer must not be training.
func (t *Trainer) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range []*stepGraph{t.auto, t.disc, t.gen} {
		if s != nil {
			s.close()
		}
	}
}

func (t *Trainer) batches() int {
	return (t.train.Len() + t.cfg.BatchSize - 1) / t.cfg.BatchSize
}

func (t *Trainer) finished() bool {
	return t.stopped || t.epoch >= t.cfg.Epochs
}

// Train trains until the configured epochs are done (returns nil), early
// stopping ends the run (nil), ctx is cancelled (ctx.Err(); call Train again
// to resume) or a step fails (the error names the step; the last good
// Snapshot stays published). sink, if not nil, receives every event in this
// goroutine and must return quickly.
func (t *Trainer) Train(ctx context.Context, sink func(Event)) error {
	if !t.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer t.running.Store(false)
	if sink == nil {
		sink = func(Event) {}
	}
	if t.failed != nil {
		return t.failed
	}
	t.mu.Lock()
	t.applyPending()
	t.mu.Unlock()
	meter := newRateMeter()
	start := time.Now()
	lastPublish := time.Now()
	for !t.finished() {
		if err := ctx.Err(); err != nil {
			t.mu.Lock()
			t.publish()
			t.mu.Unlock()
			return err
		}
		t.mu.Lock()
		t.applyPending()
		stepStart := time.Now()
		ev, err := t.trainStep()
		if err != nil {
			t.failed = fmt.Errorf("train: %s step %d (epoch %d): %w", t.cfg.Kind, t.step+1, t.epoch+1, err)
			t.mu.Unlock()
			fail := Event{Kind: EventFailed, Model: t.cfg.Kind, Step: t.step, Epoch: t.epoch, Batch: t.batch, Batches: t.batches(), Err: t.failed, Message: t.failed.Error()}
			t.setProgress(fail)
			sink(fail)
			return t.failed
		}
		ev.SamplesPerSec = meter.add(ev.samples)
		ev.Elapsed = time.Since(start)
		t.trainSeconds += time.Since(stepStart).Seconds()
		t.samples += int64(ev.samples)
		if time.Since(lastPublish) >= snapshotEvery {
			t.publish()
			lastPublish = time.Now()
		}
		epochDone := t.batch == t.batches()
		t.mu.Unlock()
		t.setProgress(ev.Event)
		sink(ev.Event)
		if epochDone {
			t.endEpoch(ev.Event, sink)
		}
	}
	done := Event{Kind: EventDone, Model: t.cfg.Kind, Step: t.step, Epoch: t.epoch, Batches: t.batches(), Elapsed: time.Since(start)}
	if t.stopped {
		done.Kind = EventEarlyStop
		done.Message = fmt.Sprintf("validation loss has not improved for %d epochs; restored the weights of the best epoch (%.2f nats)", t.cfg.Patience, t.bestVal)
	}
	t.setProgress(done)
	sink(done)
	return nil
}

// endEpoch closes an epoch: validation loss, early stopping, a snapshot.
func (t *Trainer) endEpoch(last Event, sink func(Event)) {
	t.mu.Lock()
	t.epoch++
	t.batch = 0
	t.publish()
	snap := t.snap.Load()
	t.mu.Unlock()

	ev := last
	ev.Kind = EventEpoch
	ev.Epoch = t.epoch
	ev.Batch = 0
	if t.val != nil && snap.Kind() == model.KindClassifier {
		ce, acc, err := measure.EvaluateClassifier(snap, t.val)
		if err == nil {
			ev.HasValidation, ev.Validation, ev.ValAccuracy = true, measure.Loss{Total: ce}, acc
			t.mu.Lock()
			t.trackBest(ce)
			t.mu.Unlock()
		}
	} else if t.val != nil && snap.HasEncoder() {
		vl, err := measure.Evaluate(snap, t.val, t.cfg.Seed)
		if err == nil {
			ev.HasValidation = true
			ev.Validation = vl
			t.mu.Lock()
			t.trackBest(vl.Total)
			t.mu.Unlock()
		} else {
			ev.Message = err.Error()
		}
	}
	t.setProgress(ev)
	sink(ev)
}

// trackBest records the best validation loss and stops after Patience
// epochs without improvement, restoring the best weights.
func (t *Trainer) trackBest(v float64) {
	if v < t.bestVal {
		t.bestVal = v
		t.badEpochs = 0
		if t.cfg.Patience > 0 {
			t.best = map[string][]float64{}
			for _, p := range t.params.Specs() {
				t.best[p.Name] = nn.Float64s(t.params.Tensor(p.Name))
			}
		}
		return
	}
	t.badEpochs++
	if t.cfg.Patience > 0 && t.badEpochs >= t.cfg.Patience && t.best != nil {
		for name, w := range t.best {
			nn.SetValues(t.params.Tensor(name), w)
		}
		t.stopped = true
		t.publish()
	}
}

// stepEvent is an Event plus the number of real samples in its batch.
type stepEvent struct {
	Event
	samples int
}

// trainStep runs one batch. It is called with t.mu held.
func (t *Trainer) trainStep() (stepEvent, error) {
	if t.permFor != t.epoch {
		t.perm = rand.New(rand.NewPCG(t.cfg.Seed, 0xe90c+uint64(t.epoch))).Perm(t.train.Len())
		t.permFor = t.epoch
	}
	bs := t.cfg.BatchSize
	lo := t.batch * bs
	idx := t.perm[lo:min(lo+bs, len(t.perm))]
	rng := rand.New(rand.NewPCG(t.cfg.Seed^0x9e3779b97f4a7c15, uint64(t.step)))
	progress := float64(t.epoch) + float64(t.batch)/float64(t.batches())
	lr := t.cfg.LearningRateAt(progress)
	ev := stepEvent{Event: Event{Kind: EventStep, Model: t.cfg.Kind, LearningRate: lr}, samples: len(idx)}

	var err error
	switch t.cfg.Kind {
	case model.KindGAN:
		err = t.ganStep(&ev.Event, idx, rng, t.cfg.DLearningRateAt(progress), lr)
	case model.KindClassifier:
		err = t.classifierStep(&ev.Event, idx, rng, lr)
	default:
		err = t.autoencoderStep(&ev.Event, idx, rng, lr, progress)
	}
	if err != nil {
		return ev, err
	}
	t.step++
	t.batch++
	ev.Step, ev.Epoch, ev.Batch, ev.Batches, ev.Epochs = t.step, t.epoch, t.batch, t.batches(), t.cfg.Epochs
	return ev, nil
}

func (t *Trainer) autoencoderStep(ev *Event, idx []int, rng *rand.Rand, lr, progress float64) error {
	s := t.auto
	fillImages(s.buffer(inX), t.train, idx, false)
	fillRowWeights(s.buffer(inW), len(idx))
	vae := s.has(inEps)
	beta := 0.0
	if vae {
		fillNormal(s.buffer(inEps), rng)
	}
	fillDropout(s, t.cfg.Dropout, rng)
	if vae {
		beta = t.cfg.KLWeightAt(progress)
		if err := s.setScalar(inBeta, beta); err != nil {
			return err
		}
	}
	if err := s.run(); err != nil {
		return err
	}
	defer s.reset()
	ev.Loss, ev.Recon = s.scalar(outLoss), s.scalar(outRecon)
	ev.Losses = []Value{{Name: LossTrain, Value: ev.Loss, Unit: Nats}}
	if vae {
		ev.KL, ev.KLWeight = s.scalar(outKL), beta
		ev.Losses = append(ev.Losses, Value{Name: LossRecon, Value: ev.Recon, Unit: Nats}, Value{Name: LossKL, Value: ev.KL, Unit: Nats},
			Value{Name: LossKLWeight, Value: beta, Unit: Weight})
	}
	if !kernel.IsFinite(ev.Loss) {
		return fmt.Errorf("loss is %v (reconstruction %v, KL %v)", ev.Loss, ev.Recon, ev.KL)
	}
	return t.opt.step(s, lr)
}

func (t *Trainer) classifierStep(ev *Event, idx []int, rng *rand.Rand, lr float64) error {
	s := t.auto
	fillImages(s.buffer(inX), t.train, idx, false)
	fillOneHot(s.buffer(inY), t.train, idx)
	fillRowWeights(s.buffer(inW), len(idx))
	fillDropout(s, t.cfg.Dropout, rng)
	if err := s.run(); err != nil {
		return err
	}
	defer s.reset()
	ev.Loss = s.scalar(outLoss)
	ev.Losses = []Value{{Name: LossTrain, Value: ev.Loss, Unit: Nats}}
	if !kernel.IsFinite(ev.Loss) {
		return fmt.Errorf("cross-entropy is %v", ev.Loss)
	}
	return t.opt.step(s, lr)
}

// ganStep runs a discriminator step at learning rate lrD and, every
// DSteps steps, a generator step at lrG.
func (t *Trainer) ganStep(ev *Event, idx []int, rng *rand.Rand, lrD, lrG float64) error {
	d := t.disc
	fillImages(d.buffer(inXCentred), t.train, idx, true)
	fillRowWeights(d.buffer(inW), len(idx))
	fillNormal(d.buffer(inZ), rng)
	fillDropout(d, t.cfg.Dropout, rng)
	if err := d.run(); err != nil {
		return err
	}
	ev.DLoss = d.scalar(outLoss)
	ev.Loss = ev.DLoss
	ev.DReal = meanSigmoid(d.values(outRealLogit), len(idx))
	ev.DFake = meanSigmoid(d.values(outFakeLogit), len(idx))
	defer func() {
		ev.Losses = []Value{{Name: LossD, Value: ev.DLoss, Unit: Nats}, {Name: LossG, Value: ev.GLoss, Unit: Nats},
			{Name: LossDReal, Value: ev.DReal, Unit: Probability}, {Name: LossDFake, Value: ev.DFake, Unit: Probability}}
	}()
	if !kernel.IsFinite(ev.DLoss) {
		d.reset()
		return fmt.Errorf("discriminator loss is %v", ev.DLoss)
	}
	err := t.optD.step(d, lrD)
	d.reset()
	if err != nil {
		return fmt.Errorf("discriminator: %w", err)
	}
	if (t.step+1)%int64(t.cfg.DSteps) != 0 {
		ev.GLoss = math.NaN()
		if p := t.progress.Load(); p != nil {
			ev.GLoss = p.LastEvent.GLoss
		}
		return nil
	}
	g := t.gen
	fillRowWeights(g.buffer(inW), len(idx))
	fillNormal(g.buffer(inZ), rng)
	fillDropout(g, t.cfg.Dropout, rng)
	if err := g.run(); err != nil {
		return err
	}
	defer g.reset()
	ev.GLoss = g.scalar(outLoss)
	if !kernel.IsFinite(ev.GLoss) {
		return fmt.Errorf("generator loss is %v", ev.GLoss)
	}
	if err := t.optG.step(g, lrG); err != nil {
		return fmt.Errorf("generator: %w", err)
	}
	if t.avg != nil {
		t.avg.update(t.params, t.cfg.GeneratorAverage)
	}
	return nil
}

// publish makes the current weights, with the generator's average in place
// of its weights where there is one, the newest Snapshot. Called with t.mu
// held (or before the trainer is shared).
func (t *Trainer) publish() {
	if t.avg != nil && t.avg.statsDue(t.step, t.finished()) {
		t.avg.recalibrate(t.cfg, t.params, t.step)
	}
	t.snap.Store(infer.New(t.cfg, averagedWeights{t.params, t.avg}, t.step, t.epoch))
}

func (t *Trainer) setProgress(last Event) {
	p := &Progress{Step: t.step, Epoch: t.epoch, Batch: t.batch, Batches: t.batches(), Epochs: t.cfg.Epochs,
		Finished: t.finished(), Failed: t.failed, LastEvent: last, BestValLoss: t.bestVal,
		ParamCount: t.params.Count(), TrainSamples: t.train.Len(), TrainSeconds: t.trainSeconds, Samples: t.samples}
	t.progress.Store(p)
}

func meanSigmoid(logits []float64, n int) float64 {
	if n == 0 || len(logits) < n {
		return 0
	}
	s := 0.0
	for _, l := range logits[:n] {
		s += nn.Sigmoid(l)
	}
	return s / float64(n)
}

// rateMeter measures samples per second over the last rateWindow steps.
type rateMeter struct {
	times   []time.Time
	samples []int
	next    int
	total   int
}

const rateWindow = 64

func newRateMeter() *rateMeter {
	return &rateMeter{times: make([]time.Time, 0, rateWindow), samples: make([]int, 0, rateWindow)}
}

// add records a step of n samples ending now and returns the rate over the
// window: the samples of every step but the oldest, over the time since it.
func (m *rateMeter) add(n int) float64 {
	now := time.Now()
	if len(m.times) < rateWindow {
		m.times = append(m.times, now)
		m.samples = append(m.samples, n)
		m.total += n
	} else {
		m.total += n - m.samples[m.next]
		m.times[m.next], m.samples[m.next] = now, n
		m.next = (m.next + 1) % rateWindow
	}
	oldest := m.next % len(m.times)
	el := now.Sub(m.times[oldest]).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(m.total-m.samples[oldest]) / el
}
