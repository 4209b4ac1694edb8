package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"latentlab/app"
	"latentlab/model"
)

// soakSample is one reading of the process during a soak.
type soakSample struct {
	Seconds    float64 `json:"seconds"`
	HeapMB     float64 `json:"heap_mb"`    // live heap after the last GC cycle's bookkeeping
	SysMB      float64 `json:"sys_mb"`     // memory obtained from the OS
	Goroutines int     `json:"goroutines"` // all goroutines of the process
	Decodes    int64   `json:"decodes"`    // synthetic drag decodes so far
	Steps      []int64 `json:"steps"`      // training steps of AE, VAE, GAN
}

// soakReport sums a soak up: memory after warm-up against the end shows a
// leak as growth.
type soakReport struct {
	Minutes          float64      `json:"minutes"`
	PeakHeapMB       float64      `json:"peak_heap_mb"`
	PeakSysMB        float64      `json:"peak_sys_mb"`
	HeapAfterWarmup  float64      `json:"heap_after_warmup_mb"` // mean over the second tenth of the run
	HeapAtEnd        float64      `json:"heap_at_end_mb"`       // mean over the last tenth
	GoroutinesMinMax [2]int       `json:"goroutines_min_max"`
	Decodes          int64        `json:"decodes"`
	PauseResumes     int          `json:"pause_resumes"`
	Samples          []soakSample `json:"samples"`
}

// runSoak trains the three models for a while as the app does, with
// synthetic drags decoding from their snapshots and periodic pauses and
// resumes, and reports memory and goroutines over time.
func runSoak(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	minutes := fs.Float64("minutes", 10, "how long to run")
	every := fs.Duration("every", 10*time.Second, "how often to sample memory and goroutines")
	arch := fs.String("arch", "", "architecture of all three models: mlp or conv (each kind's defaults for it, as the app's Architecture setting); unset, each model's default in the app (conv for the GAN)")
	upsample := fs.String("upsample", string(model.UpsampleResize), "with --arch conv: how the decoders and the generator up-sample, resize or transposed")
	save := fs.String("save", "", "directory to save the three models' checkpoints in when the soak ends (<kind>.safetensors), to measure them with eval")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: latentlab soak [--minutes N] [--every D] [--arch mlp|conv] [--upsample resize|transposed] [--save DIR]\n\nflags:")
		fs.PrintDefaults()
	}
	if _, err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if !(*minutes > 0 && *minutes <= 24*60) {
		return usagef("--minutes %v: must be above 0 and at most 1440", *minutes)
	}
	if *every < 100*time.Millisecond {
		return usagef("--every %v: must be at least 100ms", *every)
	}
	if a := model.Arch(*arch); a != "" && a != model.ArchMLP && a != model.ArchConv {
		return usagef("--arch %q: must be mlp or conv", *arch)
	}
	up, err := model.ParseUpsample(*upsample)
	if err != nil {
		return usagef("--upsample: %v", err)
	}
	if up == model.UpsampleTransposed && model.Arch(*arch) == model.ArchMLP {
		return usagef("--upsample transposed: only conv models up-sample")
	}
	if *save != "" {
		if err := os.MkdirAll(*save, 0o755); err != nil {
			return usagef("--save: %v", err)
		}
	}
	data, err := app.LoadData("", app.ValidationImages, 1)
	if err != nil {
		return err
	}
	// Default models that never run out of epochs, so the load stays the
	// same for the whole soak.
	configs := map[model.Kind]model.Config{}
	for _, k := range app.Kinds {
		c := app.DefaultConfig(k)
		if *arch != "" {
			c = c.WithArch(model.Arch(*arch))
		}
		if c.Conv() {
			c.Upsample = up
		}
		c.Epochs = 1000
		configs[k] = c
	}
	lab, err := app.NewLab(data, configs)
	if err != nil {
		return err
	}
	defer lab.Close()
	lab.StartAll()

	ctx, cancel := context.WithTimeout(ctx, time.Duration(*minutes*float64(time.Minute)))
	defer cancel()
	start := time.Now()
	var rep soakReport
	rep.GoroutinesMinMax = [2]int{1 << 30, 0}
	rng := rand.New(rand.NewPCG(1, 2))
	drag := time.NewTicker(16 * time.Millisecond) // a drag event a frame
	defer drag.Stop()
	sample := time.NewTicker(*every)
	defer sample.Stop()
	lifecycle := time.NewTicker(time.Minute)
	defer lifecycle.Stop()
	for {
		select {
		case <-ctx.Done():
			if *save != "" {
				if err := saveAll(lab, *save, stderr); err != nil {
					return err
				}
			}
			return rep.finish(stdout, start, ctx)
		case <-drag.C:
			for _, k := range app.Kinds {
				s := lab.Session(k).Snapshot()
				z := make([]float64, s.LatentDim())
				for i := range z {
					z[i] = rng.NormFloat64()
				}
				if _, err := s.Preview(z); err != nil {
					return fmt.Errorf("decode: %w", err)
				}
				rep.Decodes++
			}
		case <-lifecycle.C:
			k := app.Kinds[rng.IntN(len(app.Kinds))]
			lab.Session(k).Pause()
			lab.Session(k).Start()
			rep.PauseResumes++
		case <-sample.C:
			s := rep.sample(lab, start)
			fmt.Fprintf(stderr, "soak %5.0fs: heap %6.1f MB, sys %6.1f MB, %3d goroutines, steps %v\n", s.Seconds, s.HeapMB, s.SysMB, s.Goroutines, s.Steps)
		}
	}
}

// saveAll saves every model of lab in dir as <kind>.safetensors.
func saveAll(lab *app.Lab, dir string, stderr io.Writer) error {
	for _, k := range app.Kinds {
		path := filepath.Join(dir, string(k)+".safetensors")
		if err := lab.Session(k).SaveCheckpoint(path); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "soak: saved %s (%d images trained)\n", path, lab.Session(k).Status().Progress.Samples)
	}
	return nil
}

func (r *soakReport) sample(lab *app.Lab, start time.Time) soakSample {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := soakSample{Seconds: time.Since(start).Seconds(), HeapMB: float64(ms.HeapAlloc) / (1 << 20), SysMB: float64(ms.Sys) / (1 << 20),
		Goroutines: runtime.NumGoroutine(), Decodes: r.Decodes}
	for _, k := range app.Kinds {
		s.Steps = append(s.Steps, lab.Session(k).Status().Progress.Step)
	}
	r.Samples = append(r.Samples, s)
	r.PeakHeapMB, r.PeakSysMB = max(r.PeakHeapMB, s.HeapMB), max(r.PeakSysMB, s.SysMB)
	r.GoroutinesMinMax[0], r.GoroutinesMinMax[1] = min(r.GoroutinesMinMax[0], s.Goroutines), max(r.GoroutinesMinMax[1], s.Goroutines)
	return s
}

// finish computes the summary and prints it as JSON.
func (r *soakReport) finish(w io.Writer, start time.Time, ctx context.Context) error {
	r.Minutes = time.Since(start).Minutes()
	mean := func(lo, hi float64) float64 {
		sum, n := 0.0, 0
		for _, s := range r.Samples {
			if f := s.Seconds / (r.Minutes * 60); f >= lo && f <= hi {
				sum += s.HeapMB
				n++
			}
		}
		if n == 0 {
			return 0
		}
		return sum / float64(n)
	}
	r.HeapAfterWarmup, r.HeapAtEnd = mean(0.1, 0.2), mean(0.9, 1)
	if err := printJSON(w, r); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil && err != context.DeadlineExceeded {
		return err
	}
	return nil
}
