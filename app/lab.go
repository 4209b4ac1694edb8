package app

import (
	"fmt"
	"runtime"

	"latentlab/model"
	"latentlab/model/infra/openblas"
	"latentlab/model/nn/op"
)

// Kinds lists the models of a Lab in display order.
var Kinds = []model.Kind{model.KindAE, model.KindVAE, model.KindGAN}

// Lab holds one Session per model on one data set, and one channel that
// says something changed.
type Lab struct {
	Data       *Data
	Monitor    *Monitor // nil when the data cannot be measured by the shipped classifier
	MonitorErr error    // why Monitor is nil
	sessions   map[model.Kind]*Session
	updates    chan struct{}
	turns      *turns // the sessions train in turn
}

// NewLab builds a session for each config (one per kind; kinds without a
// config get the defaults).
//
// Its sessions train in turn, no more at once than there are cores (see
// turns), each with one OpenBLAS thread and one goroutine for the layers'
// own loops: a product spread over threads waits for its slowest one, and
// in the app the window keeps a core busy part of the time.
func NewLab(data *Data, configs map[model.Kind]model.Config) (*Lab, error) {
	openblas.SetThreads(1)
	op.SetWorkers(1)
	l := &Lab{Data: data, sessions: map[model.Kind]*Session{}, updates: make(chan struct{}, 1),
		turns: newTurns(turnSlice, runtime.NumCPU())}
	if m, err := NewMonitor(data.Test, data.Source); err == nil {
		l.Monitor = m
	} else {
		l.MonitorErr = err
	}
	for _, k := range Kinds {
		cfg, ok := configs[k]
		if !ok {
			cfg = DefaultConfig(k)
		}
		cfg.Kind = k
		s, err := newSession(cfg, data, l.signal, l.Monitor, l.turns)
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		l.sessions[k] = s
	}
	return l, nil
}

// signal notes a change without ever blocking: changes coalesce until the
// reader takes them.
func (l *Lab) signal() {
	select {
	case l.updates <- struct{}{}:
	default:
	}
}

// Updates delivers a value after something changed (a step, a state
// change); many changes may share one value.
func (l *Lab) Updates() <-chan struct{} { return l.updates }

// Session returns the session of kind k.
func (l *Lab) Session(k model.Kind) *Session { return l.sessions[k] }

// StartAll starts every session that is not training.
func (l *Lab) StartAll() {
	for _, k := range Kinds {
		l.sessions[k].Start()
	}
}

// PauseAll pauses every session.
func (l *Lab) PauseAll() {
	for _, k := range Kinds {
		l.sessions[k].Pause()
	}
}

// Close stops every training goroutine and releases the models.
func (l *Lab) Close() {
	for _, k := range Kinds {
		if s := l.sessions[k]; s != nil {
			s.Close()
		}
	}
}
