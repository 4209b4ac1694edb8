package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"latentlab/model"
	"latentlab/model/train"
)

// progressBar draws training progress with an ETA on a terminal, at most
// ten times a second; on a pipe or file it prints one line per epoch.
type progressBar struct {
	w        io.Writer
	quiet    bool
	terminal bool
	last     time.Time
	width    int
	drawn    bool
	first    int64 // step before the first event of this run
	started  bool
}

func newProgressBar(w io.Writer, quiet bool) *progressBar {
	b := &progressBar{w: w, quiet: quiet, width: 30}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.terminal = true
		}
	}
	return b
}

// finish ends the bar's line.
func (b *progressBar) finish() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
		b.drawn = false
	}
}

func (b *progressBar) update(e train.Event) {
	if b.quiet {
		return
	}
	if !b.started && e.Kind == train.EventStep {
		b.first, b.started = e.Step-1, true
	}
	switch e.Kind {
	case train.EventStep:
		if !b.terminal || time.Since(b.last) < 100*time.Millisecond {
			return
		}
		b.last = time.Now()
		fmt.Fprintf(b.w, "\r%s", b.line(e))
		b.drawn = true
	case train.EventEpoch:
		if b.drawn {
			fmt.Fprint(b.w, "\r\033[K")
		}
		msg := fmt.Sprintf("epoch %d: %s", e.Epoch, losses(e))
		if e.HasValidation {
			msg += fmt.Sprintf("  validation %.2f", e.Validation.Total)
			if e.Model == model.KindClassifier {
				msg += fmt.Sprintf(" (accuracy %.2f%%)", 100*e.ValAccuracy)
			}
		}
		fmt.Fprintf(b.w, "%s  %.0f img/s  %s elapsed\n", msg, e.SamplesPerSec, e.Elapsed.Round(time.Second))
		b.drawn = false
	case train.EventEarlyStop:
		fmt.Fprintf(b.w, "early stop: %s\n", e.Message)
	case train.EventFailed:
		if b.drawn {
			fmt.Fprintln(b.w)
		}
	}
}

// line is the one-line bar: epoch, a bar of the epoch, losses, speed, ETA.
func (b *progressBar) line(e train.Event) string {
	frac := float64(e.Batch) / float64(max(e.Batches, 1))
	fill := int(frac * float64(b.width))
	bar := strings.Repeat("=", fill) + strings.Repeat(" ", b.width-fill)
	eta := "?"
	if steps := e.Step - b.first; steps > 0 {
		// Batches left in this and the remaining epochs, at this run's pace.
		done := float64(e.Epoch)*float64(e.Batches) + float64(e.Batch)
		left := float64(e.Epochs)*float64(e.Batches) - done
		perBatch := e.Elapsed.Seconds() / float64(steps)
		eta = time.Duration(left * perBatch * float64(time.Second)).Round(time.Second).String()
	}
	return fmt.Sprintf("epoch %d/%d [%s] %3.0f%%  %s  %.0f img/s  ETA %s\033[K", e.Epoch+1, e.Epochs, bar, frac*100, losses(e), e.SamplesPerSec, eta)
}

// losses prints the step's named values: "D loss 1.234  G loss 0.987 ...".
func losses(e train.Event) string {
	parts := make([]string, len(e.Losses))
	for i, v := range e.Losses {
		parts[i] = fmt.Sprintf("%s %.4g", v.Name, v.Value)
	}
	return strings.Join(parts, "  ")
}
