package app

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"latentlab/model"
	"latentlab/model/measure"
	"latentlab/model/train"
)

// maxKeptRuns is how many earlier runs a session keeps for comparison.
const maxKeptRuns = 3

// KeptRun is an earlier run of a session, kept after a reset so that its
// curves can be drawn beside the new run's ("before the cure" and
// "after").
type KeptRun struct {
	// Label names the settings the run had that the run after it changed
	// ("dropout 0, patience 0"), or "same settings".
	Label   string
	Config  model.Config
	History *History
	// How the run ended: its epochs, best validation loss (+Inf without
	// one) and the quality of its samples after its last epoch (nil if
	// not measured).
	Epochs      int
	BestValLoss float64
	Quality     *measure.SampleQuality
}

// keep files the run that a reset to next ends, if it recorded anything;
// the oldest kept run goes when there are more than maxKeptRuns. Called
// with s.mu held.
func (s *Session) keep(prev model.Config, h *History, next model.Config, ended train.Progress) {
	if h == nil || len(h.Series(SeriesTrain, SeriesDLoss)) == 0 {
		return
	}
	label := strings.Join(ConfigChanges(prev, next), ", ")
	if label == "" {
		label = "same settings"
	}
	s.kept = append(s.kept, KeptRun{Label: label, Config: prev, History: h, Epochs: ended.Epoch, BestValLoss: ended.BestValLoss, Quality: s.quality})
	if len(s.kept) > maxKeptRuns {
		s.kept = slices.Delete(s.kept, 0, len(s.kept)-maxKeptRuns)
	}
}

// KeptRuns returns the earlier runs kept for comparison, oldest first.
func (s *Session) KeptRuns() []KeptRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.kept)
}

// ClearKeptRuns forgets the earlier runs.
func (s *Session) ClearKeptRuns() {
	s.mu.Lock()
	s.kept = nil
	s.mu.Unlock()
	s.notify()
}

// ConfigChanges lists the settings of a that b changes, with a's values,
// by their names in checkpoints: "dropout 0", "train_size 300".
func ConfigChanges(a, b model.Config) []string {
	fields := func(c model.Config) map[string]any {
		var m map[string]any
		raw, _ := json.Marshal(c)
		json.Unmarshal(raw, &m)
		return m
	}
	fa, fb := fields(a), fields(b)
	var names []string
	for k := range fa {
		names = append(names, k)
	}
	for k := range fb {
		if _, ok := fa[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var out []string
	for _, k := range names {
		va, vb := fmt.Sprint(fa[k]), fmt.Sprint(fb[k])
		if va == vb {
			continue
		}
		if _, ok := fa[k]; !ok {
			va = "0" // an omitted field holds its zero value
		}
		out = append(out, k+" "+strings.Trim(va, "[]"))
	}
	return out
}

// KeptRunsText is a table of how the kept runs of every session ended,
// for the Compare view: model, what changed, epochs, best validation
// loss, samples' Fréchet distance and classes covered; "" with none kept.
func (l *Lab) KeptRunsText() string {
	var b strings.Builder
	for _, k := range Kinds {
		for _, r := range l.Session(k).KeptRuns() {
			if b.Len() == 0 {
				fmt.Fprintf(&b, "Earlier runs, as they ended (labelled by what the next run changed):\n%-5s %6s %10s %8s %7s  %s\n", "", "epochs", "best val.", "FD", "classes", "settings")
			}
			val, fd, classes := "-", "-", "-"
			if !math.IsInf(r.BestValLoss, 1) && r.BestValLoss > 0 {
				val = fmt.Sprintf("%.2f", r.BestValLoss)
			}
			if r.Quality != nil {
				fd, classes = fmt.Sprintf("%.1f", r.Quality.Frechet), fmt.Sprint(r.Quality.Covered)
			}
			fmt.Fprintf(&b, "%-5s %6d %10s %8s %7s  %s\n", strings.ToUpper(string(k)), r.Epochs, val, fd, classes, r.Label)
		}
	}
	return b.String()
}
