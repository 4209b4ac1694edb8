package app

import (
	"slices"
	"strings"
	"testing"

	"latentlab/model"
)

// A reset keeps the run it ends, labelled by the settings the new run
// changed; runs that recorded nothing are not kept; at most maxKeptRuns
// are; Clear forgets them.
func TestSession_KeepsEarlierRuns(t *testing.T) {
	lab, err := NewLab(tinyData(t), tinyConfigs())
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	s := lab.Session(model.KindAE)
	cfg := s.Config()
	if err := s.Reset(cfg); err != nil { // nothing recorded yet: nothing kept
		t.Fatal(err)
	}
	if n := len(s.KeptRuns()); n != 0 {
		t.Fatalf("%d runs kept before any recorded a loss", n)
	}
	s.History().Add(SeriesTrain, 0.5, 100)
	cured := cfg
	cured.Dropout, cured.Patience = 0.3, 5
	if err := s.Reset(cured); err != nil {
		t.Fatal(err)
	}
	kept := s.KeptRuns()
	if len(kept) != 1 || kept[0].Label != "dropout 0, patience 0" || kept[0].Config.Dropout != 0 {
		t.Fatalf("kept %+v", kept)
	}
	if text := lab.KeptRunsText(); !strings.Contains(text, "AE") || !strings.Contains(text, "dropout 0, patience 0") {
		t.Fatalf("the Compare table's rows: %q", text)
	}
	for range maxKeptRuns + 1 {
		s.History().Add(SeriesTrain, 0.5, 100)
		if err := s.Reset(cured); err != nil {
			t.Fatal(err)
		}
	}
	if kept := s.KeptRuns(); len(kept) != maxKeptRuns || kept[len(kept)-1].Label != "same settings" {
		t.Fatalf("kept %d runs, the last %q", len(kept), kept[len(kept)-1].Label)
	}
	s.ClearKeptRuns()
	if n := len(s.KeptRuns()); n != 0 {
		t.Fatalf("%d runs after Clear", n)
	}
}

// The changes between two settings name each changed field with its
// first value, those left out of the JSON too.
func TestConfigChanges(t *testing.T) {
	a := model.DefaultConfig(model.KindVAE)
	b := a
	b.TrainSize, b.Beta, b.Hidden = 300, 4, []int{64}
	got := ConfigChanges(a, b)
	want := []string{"beta 1", "hidden 512 256", "train_size 0"}
	if !slices.Equal(got, want) {
		t.Fatalf("changes %q, want %q", got, want)
	}
	if len(ConfigChanges(a, a)) != 0 {
		t.Fatal("a config differs from itself")
	}
}

// The loss history writes as CSV, one point a line.
func TestWriteHistoryCSV(t *testing.T) {
	h := NewHistory()
	h.Add(SeriesTrain, 0.5, 120)
	h.Add(SeriesValidation, 1, 110.25)
	var b strings.Builder
	if err := WriteHistoryCSV(&b, h); err != nil {
		t.Fatal(err)
	}
	want := "series,epoch,value\n" + SeriesTrain + ",0.5,120\n" + SeriesValidation + ",1,110.25\n"
	if b.String() != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", b.String(), want)
	}
}
