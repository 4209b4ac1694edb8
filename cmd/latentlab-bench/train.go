package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/train"
)

// trainRow is one training comparison: a configuration that latentlab and
// the PyTorch reference each train for one epoch.
type trainRow struct {
	name string // its --only key
	cfg  model.Config
	// steps, when not 0, times that many steps (after a short warm-up) and
	// scales them to an epoch: the convolutional rows, whose epochs take
	// minutes.
	steps int
}

// convSteps is how many steps the convolutional rows time.
const convSteps = 60

// trainRows returns every training comparison, in table order.
func trainRows() []trainRow {
	vae := model.DefaultConfig(model.KindVAE)
	vae.LatentDim = 20
	// The PyTorch VAE example: one 400-unit layer, batches of 128.
	vae400 := vae
	vae400.Hidden = []int{400}
	vae400.BatchSize = 128
	convVAE := vae.WithArch(model.ArchConv)
	convGAN := model.DefaultConfig(model.KindGAN).WithArch(model.ArchConv)
	transposed := func(c model.Config) model.Config {
		c.Upsample = model.UpsampleTransposed
		return c
	}
	return []trainRow{
		{"ae", model.DefaultConfig(model.KindAE), 0},
		{"vae", vae, 0},
		{"vae400", vae400, 0},
		{"gan", model.DefaultConfig(model.KindGAN), 0},
		{"conv-vae", convVAE, convSteps},
		{"conv-gan", convGAN, convSteps},
		{"conv-vae-transposed", transposed(convVAE), convSteps},
		{"conv-gan-transposed", transposed(convGAN), convSteps},
	}
}

// rowNames returns the --only keys of rows.
func rowNames(rows []trainRow) []string {
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.name
	}
	return names
}

// selectRows keeps the rows named in the comma-separated list only, in
// table order; an empty list keeps them all, and an unknown name is an error.
func selectRows(rows []trainRow, only string) ([]trainRow, error) {
	if strings.TrimSpace(only) == "" {
		return rows, nil
	}
	want := map[string]bool{}
	for name := range strings.SplitSeq(only, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if !slices.Contains(rowNames(rows), name) {
			return nil, fmt.Errorf("unknown row %q (want some of %s)", name, strings.Join(rowNames(rows), ","))
		}
		want[name] = true
	}
	var kept []trainRow
	for _, r := range rows {
		if want[r.name] {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// describe names a configuration as the table shows it.
func describe(c model.Config) string {
	if c.Conv() {
		return fmt.Sprintf("conv %s z=%d, channels %s, %s up-sampling, batch %d", strings.ToUpper(string(c.Kind)), c.LatentDim, joinInts(c.Hidden), c.UpsampleOf(), c.BatchSize)
	}
	return fmt.Sprintf("%s z=%d, hidden %s, batch %d", strings.ToUpper(string(c.Kind)), c.LatentDim, joinInts(c.Hidden), c.BatchSize)
}

// runTraining trains every row for one epoch, ours then PyTorch's, and
// prints each row as it finishes. A reference that is missing or fails
// leaves its cells empty; a failure of ours is returned after the table.
func runTraining(ctx context.Context, stdout, stderr io.Writer, rows []trainRow, ts torchSetup, trainSet *dataset.Set) error {
	var ref *reference
	var err error
	whyNot := ts.whyNot
	if ts.py != nil {
		if ref, err = newReference(*ts.py, ts.threads); err != nil {
			whyNot = fmt.Sprintf("PyTorch reference not run: %v", err)
		} else {
			defer ref.Close()
		}
	}
	fmt.Fprintf(stdout, "\nTraining: seconds per %d-image epoch (ratio = PyTorch / ours; above 1, ours is faster)\n", trainSet.Len())
	if ref == nil {
		fmt.Fprintf(stdout, "  %s\n", whyNot)
	}
	const format = "  %-36s %9s %9s %7s\n"
	fmt.Fprintf(stdout, format, "model", "ours", "PyTorch", "ratio")
	var errs []error
	for _, r := range rows {
		var ours time.Duration
		var err error
		if r.steps > 0 {
			fmt.Fprintf(stderr, "latentlab-bench: timing %d steps of %s...\n", r.steps, describe(r.cfg))
			ours, err = ourSteps(ctx, r.cfg, trainSet, r.steps)
		} else {
			fmt.Fprintf(stderr, "latentlab-bench: training %s for one epoch...\n", describe(r.cfg))
			ours, err = ourEpoch(ctx, r.cfg, trainSet)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.name, err))
		}
		var torch time.Duration
		var note string
		if ref != nil && ctx.Err() == nil {
			fmt.Fprintf(stderr, "latentlab-bench: PyTorch reference, same row...\n")
			res, err := ref.epoch(ctx, r.cfg, r.steps)
			switch {
			case err != nil:
				note = fmt.Sprintf("PyTorch reference failed: %v", err)
			case r.steps > 0: // scaled from its steps to an epoch, as ours
				torch = time.Duration(res.Seconds * float64(trainSet.Len()) / float64(res.Images) * float64(time.Second))
				note = fmt.Sprintf("both sides timed over %d steps and scaled to an epoch", r.steps)
			default:
				torch = time.Duration(res.Seconds * float64(time.Second))
				if res.Images != trainSet.Len() {
					note = fmt.Sprintf("PyTorch trained on %d images, not %d", res.Images, trainSet.Len())
				}
			}
		}
		fmt.Fprintf(stdout, format, describe(r.cfg), formatSeconds(ours), formatSeconds(torch), formatRatio(torch, ours))
		if err != nil {
			fmt.Fprintf(stdout, "    ours failed: %v\n", err)
		}
		if note != "" {
			fmt.Fprintf(stdout, "    %s\n", note)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// ourEpoch trains cfg for one epoch on train from fresh weights and returns
// the time from the start of Train to the end of the epoch's last batch, so
// the end-of-epoch bookkeeping is not counted.
func ourEpoch(ctx context.Context, cfg model.Config, trainSet *dataset.Set) (time.Duration, error) {
	cfg.Epochs = 1
	return trainUntil(ctx, cfg, trainSet, 0, func(e train.Event, _ int) bool { return e.Batch == e.Batches })
}

// ourSteps times steps training steps of cfg after a warm-up of 3 and
// returns the time they would take for a whole epoch of trainSet.
func ourSteps(ctx context.Context, cfg model.Config, trainSet *dataset.Set, steps int) (time.Duration, error) {
	const warmup = 3
	cfg.Epochs = 1000
	took, err := trainUntil(ctx, cfg, trainSet, warmup, func(_ train.Event, n int) bool { return n == warmup+steps })
	perEpoch := float64(trainSet.Len()) / float64(steps*cfg.BatchSize)
	return time.Duration(float64(took) * perEpoch), err
}

// trainUntil trains cfg from fresh weights on train until stop, given each
// step's event and the number of steps so far, says so. It returns the
// training time (Event.Elapsed) from the end of step from (0: the start of
// Train) to the end of the step that stopped it.
func trainUntil(ctx context.Context, cfg model.Config, trainSet *dataset.Set, from int, stop func(e train.Event, steps int) bool) (time.Duration, error) {
	tr, err := train.NewTrainer(cfg, trainSet, nil)
	if err != nil {
		return 0, fmt.Errorf("new %s trainer: %w", cfg.Kind, err)
	}
	defer tr.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var begin, end time.Duration
	steps, stopped := 0, false
	err = tr.Train(ctx, func(e train.Event) {
		if e.Kind != train.EventStep || stopped {
			return
		}
		steps++
		if steps == from {
			begin = e.Elapsed
		}
		if stop(e, steps) {
			end, stopped = e.Elapsed, true
			cancel()
		}
	})
	if !stopped {
		if err == nil {
			err = errors.New("training ended first")
		}
		return 0, fmt.Errorf("%s stopped after %d steps: %w", cfg.Kind, steps, err)
	}
	return end - begin, nil
}
