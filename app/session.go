package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"latentlab/app/internal/background"
	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/infer"
	"latentlab/model/measure"
	"latentlab/model/train"
)

// State is where a session's training stands.
type State int

// The states of a session.
const (
	Idle     State = iota // built, not started
	Running               // its goroutine is training
	Paused                // stopped by the user; Resume goes on from here
	Finished              // the configured epochs are done, or early stopping ended the run
	Failed                // a step failed (a NaN loss, say); Reset recovers
)

func (s State) String() string {
	return [...]string{"idle", "training", "paused", "finished", "failed"}[s]
}

// Status is a session's state for display.
type Status struct {
	Kind     model.Kind
	State    State
	Progress train.Progress
	Config   model.Config
	Err      error                  // why it failed
	Message  string                 // the last notable thing that happened (early stop, load, ...)
	Alarm    string                 // a collapse found after the last epoch, with what usually helps
	Quality  *measure.SampleQuality // of prior samples after the last epoch
	ETA      time.Duration          // to the configured epochs at the current speed; 0 if unknown
}

// Session trains one model. It owns the trainer, the goroutine that runs
// it and the loss history; all its methods are safe for concurrent use.
type Session struct {
	kind    model.Kind
	data    *Data
	notify  func()
	monitor *Monitor // nil when the data cannot be measured
	turns   *turns   // shared with the Lab's other sessions

	ops sync.Mutex // serialises Start, Pause, Reset, LoadCheckpoint and Close, so that none
	// slips between another's pause and its swap of the trainer and orphans a goroutine

	mu      sync.Mutex // guards the fields below; never held while waiting for training to stop
	state   State
	err     error
	message string
	alarm   string
	quality *measure.SampleQuality
	dLoss   lossMean  // GAN: mean D loss over the current epoch
	kept    []KeptRun // earlier runs, for comparison
	cancel  context.CancelFunc
	done    chan struct{} // closed when the training goroutine returns

	trainer atomic.Pointer[train.Trainer]
	history atomic.Pointer[History]
	// explore is a model opened to explore only (a decoder alone, which
	// cannot train); while it is set it is the session's model.
	explore atomic.Pointer[infer.Snapshot]
}

func newSession(cfg model.Config, data *Data, notify func(), monitor *Monitor, turns *turns) (*Session, error) {
	s := &Session{kind: cfg.Kind, data: data, notify: notify, monitor: monitor, turns: turns}
	if err := s.build(cfg); err != nil {
		return nil, err
	}
	return s, nil
}

// build replaces the trainer with a fresh one for cfg.
func (s *Session) build(cfg model.Config) error {
	tr, err := train.NewTrainer(cfg, s.data.Train, s.data.Val)
	if err != nil {
		return err
	}
	if old := s.trainer.Swap(tr); old != nil {
		s.keep(old.Config(), s.history.Load(), tr.Config(), old.Progress())
		old.Close()
	}
	s.explore.Store(nil)
	s.history.Store(NewHistory())
	s.state, s.err, s.message, s.alarm, s.quality = Idle, nil, "", "", nil
	s.dLoss = lossMean{}
	return nil
}

// Kind returns the model family the session trains.
func (s *Session) Kind() model.Kind { return s.kind }

// Snapshot returns the newest weights; it never blocks.
func (s *Session) Snapshot() *infer.Snapshot {
	if snap := s.explore.Load(); snap != nil {
		return snap
	}
	return s.trainer.Load().Snapshot()
}

// History returns the loss history of the current run.
func (s *Session) History() *History { return s.history.Load() }

// Config returns the settings in force (or waiting for the next step).
func (s *Session) Config() model.Config {
	if snap := s.explore.Load(); snap != nil {
		return snap.Config()
	}
	return s.trainer.Load().Config()
}

// ExploreOnly reports whether the session's model was opened to explore
// only: a decoder alone, which cannot train.
func (s *Session) ExploreOnly() bool { return s.explore.Load() != nil }

// Status returns the session's state for display.
func (s *Session) Status() Status {
	tr := s.trainer.Load()
	p := tr.Progress()
	s.mu.Lock()
	st := Status{Kind: s.kind, State: s.state, Progress: p, Config: tr.Config(), Err: s.err, Message: s.message, Alarm: s.alarm, Quality: s.quality}
	s.mu.Unlock()
	if snap := s.explore.Load(); snap != nil {
		st.State, st.Config = Finished, snap.Config()
		st.Progress = train.Progress{Epoch: snap.Epoch(), Step: snap.Step(), Epochs: snap.Epoch(), Finished: true}
	}
	if sps := p.LastEvent.SamplesPerSec; sps > 0 && st.State == Running {
		left := float64(p.Epochs-p.Epoch)*float64(p.TrainSamples) - float64(p.Batch)/float64(max(p.Batches, 1))*float64(p.TrainSamples)
		st.ETA = time.Duration(max(left, 0) / sps * float64(time.Second))
	}
	return st
}

// Start starts (or resumes) training in a new goroutine. It does nothing
// if the session is already training or has finished.
func (s *Session) Start() {
	s.ops.Lock()
	defer s.ops.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == Running || s.state == Failed {
		return
	}
	if s.explore.Load() != nil {
		s.message = "this model is a decoder alone: it explores, it does not train (Reset starts a new model)"
		s.notify()
		return
	}
	tr := s.trainer.Load()
	if tr.Progress().Finished {
		s.state = Finished
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.cancel, s.done, s.state = cancel, done, Running
	hist := s.history.Load()
	go func() {
		defer close(done)
		// Training yields to the window: this goroutine's thread (batches,
		// the optimizer, snapshots) runs below the UI's priority and ends
		// with it. gorgonia runs each step's graph in a goroutine of its
		// own, which this does not reach. Measured with an off-plane
		// slider moving while all three trained: 11-12 slices a second
		// without it, 16-19 with it, and training 13% slower meanwhile.
		// (Lowering every thread that ran a product as well gained nothing
		// more, measured the same way.)
		if err := background.Enter(); err != nil {
			s.mu.Lock()
			s.message = err.Error()
			s.mu.Unlock()
			s.notify()
		}
		turn := s.turns.holder(ctx)
		turn.acquire()
		defer turn.release()
		err := tr.Train(ctx, func(e train.Event) {
			s.record(hist, e)
			if e.Kind == train.EventStep {
				turn.yield()
			}
		})
		s.mu.Lock()
		switch {
		case s.trainer.Load() != tr: // reset while stopping: build() set the state
		case errors.Is(err, context.Canceled):
			s.state = Paused
		case err != nil:
			s.state, s.err = Failed, err
		default:
			s.state = Finished
		}
		s.mu.Unlock()
		s.notify()
	}()
	s.notify()
}

// record files an event in the history and tells the listener.
func (s *Session) record(h *History, e train.Event) {
	x := float64(e.Epoch) + float64(e.Batch)/float64(max(e.Batches, 1))
	switch e.Kind {
	case train.EventStep:
		for _, v := range e.Losses {
			h.Add(v.Name, x, v.Value)
			if v.Name == train.LossD {
				s.mu.Lock()
				s.dLoss.add(v.Value)
				s.mu.Unlock()
			}
		}
	case train.EventEpoch:
		if e.HasValidation {
			h.Add(SeriesValidation, float64(e.Epoch), e.Validation.Total)
		}
		s.checkQuality(h, e.Epoch)
	case train.EventEarlyStop, train.EventFailed:
		s.mu.Lock()
		s.message = e.Message
		s.mu.Unlock()
	}
	s.notify()
}

// The names of the series a session records.
const (
	SeriesTrain      = train.LossTrain
	SeriesValidation = "validation loss"
	SeriesRecon      = train.LossRecon
	SeriesKL         = train.LossKL
	SeriesDLoss      = train.LossD
	SeriesGLoss      = train.LossG
	SeriesDReal      = train.LossDReal
	SeriesDFake      = train.LossDFake
)

// Pause stops training after the current step and waits for it; Start
// resumes exactly where it stopped.
func (s *Session) Pause() {
	s.ops.Lock()
	defer s.ops.Unlock()
	s.pause()
}

// pause stops training and waits for it; the caller holds s.ops.
func (s *Session) pause() {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// Reset stops training and starts over from cfg's seed with new weights
// and an empty history. A config that is not valid changes nothing.
func (s *Session) Reset(cfg model.Config) error {
	cfg.Parts = "" // a reset starts a whole model
	cfg.Kind = s.kind
	if err := cfg.Validate(); err != nil {
		return err
	}
	s.ops.Lock()
	defer s.ops.Unlock()
	s.pause()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.build(cfg); err != nil {
		return err
	}
	s.notify()
	return nil
}

// Apply changes settings: those that need new weights (see
// model.Config.NeedsRebuild) reset the session, the others apply to the
// running model at its next step. It reports whether it reset.
func (s *Session) Apply(cfg model.Config) (reset bool, err error) {
	cfg.Kind = s.kind
	if err := cfg.Validate(); err != nil {
		return false, err
	}
	if s.explore.Load() != nil { // a decoder alone does not train: new settings start a new model
		return true, s.Reset(cfg)
	}
	cur := s.Config()
	cfg.ImageRows, cfg.ImageCols = cur.ImageRows, cur.ImageCols
	if cur.NeedsRebuild(cfg) {
		return true, s.Reset(cfg)
	}
	if err := s.trainer.Load().UpdateSettings(cfg); err != nil {
		return false, err
	}
	s.mu.Lock()
	if s.state == Finished && cfg.Epochs > s.trainer.Load().Progress().Epoch {
		s.state = Paused
	}
	s.mu.Unlock()
	s.notify()
	return false, nil
}

// SaveCheckpoint writes the model to path atomically; training goes on.
func (s *Session) SaveCheckpoint(path string) error {
	if s.explore.Load() != nil {
		return fmt.Errorf("the %s is a decoder alone, opened to explore: the file it came from is its checkpoint", s.kind)
	}
	return checkpoint.Save(s.trainer.Load(), s.data.Source, path)
}

// LoadCheckpoint stops training and replaces the model with the one saved
// at path. A file that does not load, or holds another kind of model,
// changes nothing.
func (s *Session) LoadCheckpoint(path string) error {
	ck, err := checkpoint.Load(path)
	if err != nil {
		return err
	}
	return s.Open(path, ck)
}

// Open makes ck, read from the file at path, the session's model, as
// LoadCheckpoint does.
func (s *Session) Open(path string, ck *checkpoint.Checkpoint) error {
	if ck.Config.Kind != s.kind {
		return fmt.Errorf("%s holds a model of kind %s; this is the %s", path, ck.Config.Kind, s.kind)
	}
	if err := SameData(path, ck, s.data.Source); err != nil {
		return err
	}
	if ck.Config.Parts == model.PartsDecoder {
		return s.openToExplore(path, ck)
	}
	tr, err := ck.Trainer(s.data.Train, s.data.Val)
	if err != nil {
		return err
	}
	s.ops.Lock()
	defer s.ops.Unlock()
	s.pause()
	s.mu.Lock()
	if old := s.trainer.Swap(tr); old != nil {
		old.Close()
	}
	s.explore.Store(nil)
	s.history.Store(NewHistory())
	s.state, s.err = Paused, nil
	if tr.Progress().Finished {
		s.state = Finished
	}
	s.message = fmt.Sprintf("loaded %s (epoch %d, step %d)", path, ck.Epoch(), ck.Step())
	s.mu.Unlock()
	s.notify()
	return nil
}

// openToExplore makes ck, a decoder alone, the session's model: training
// stops, and the model explores but does not train until a Reset.
func (s *Session) openToExplore(path string, ck *checkpoint.Checkpoint) error {
	s.ops.Lock()
	defer s.ops.Unlock()
	s.pause()
	s.mu.Lock()
	s.explore.Store(ck.Snapshot())
	s.history.Store(NewHistory())
	s.state, s.err, s.alarm, s.quality = Paused, nil, "", nil
	s.message = fmt.Sprintf("opened %s: a decoder alone (no encoder or discriminator), to explore; it does not train (Reset starts a new model)", path)
	s.mu.Unlock()
	s.notify()
	return nil
}

// Close stops training and releases the model.
func (s *Session) Close() {
	s.ops.Lock()
	defer s.ops.Unlock()
	s.pause()
	s.trainer.Load().Close()
}

// checkQuality measures the newest snapshot after an epoch and raises or
// clears the alarm. It runs in the training goroutine, between epochs.
func (s *Session) checkQuality(h *History, epoch int) {
	if s.monitor == nil {
		return
	}
	snap := s.trainer.Load().Snapshot()
	q, kl, err := s.monitor.Check(snap, monitorSamples, uint64(epoch))
	if err != nil {
		return
	}
	h.Add(SeriesFrechet, float64(epoch), q.Frechet)
	h.Add(SeriesCovered, float64(epoch), float64(q.Covered))
	if snap.HasEncoder() {
		if mq, err := s.monitor.MixtureSamples(snap, s.data.Train, monitorSamples, uint64(epoch)); err == nil {
			h.Add(SeriesFrechetMixture, float64(epoch), mq.Frechet)
		}
	}
	if kl != nil {
		h.Add(SeriesActive, float64(epoch), float64(kl.Active))
	}
	s.mu.Lock()
	d := s.dLoss.mean()
	s.dLoss = lossMean{}
	s.alarm = alarm(s.kind, q, kl, d)
	s.quality = &q
	s.mu.Unlock()
}

// lossMean averages losses over an epoch.
type lossMean struct {
	sum float64
	n   int
}

func (m *lossMean) add(v float64) {
	m.sum += v
	m.n++
}

// mean returns the average, or +Inf when nothing was added (no alarm).
func (m lossMean) mean() float64 {
	if m.n == 0 {
		return math.Inf(1)
	}
	return m.sum / float64(m.n)
}
