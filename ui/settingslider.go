package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"latentlab/model"
)

// sliderScale is the range a setting's slider spans: [lo, hi], on a log
// scale where log is set (rates and weights that matter by their order of
// magnitude); with zero, the log slider's left end is 0 (off) instead of
// lo.
type sliderScale struct {
	lo, hi    float64
	log, zero bool
}

// toSlider returns where x lies on the slider, in [0, 1].
func (s sliderScale) toSlider(x float64) float64 {
	if s.log {
		if x <= 0 {
			return 0
		}
		return math.Min(1, math.Max(0, (math.Log10(x)-math.Log10(s.lo))/(math.Log10(s.hi)-math.Log10(s.lo))))
	}
	return math.Min(1, math.Max(0, (x-s.lo)/(s.hi-s.lo)))
}

// fromSlider returns the value at slider position f in [0, 1], rounded to
// three significant digits (the left end of a log slider is 0).
func (s sliderScale) fromSlider(f float64) float64 {
	var x float64
	if s.log {
		if f <= 0 && s.zero {
			return 0
		}
		x = math.Pow(10, math.Log10(s.lo)+f*(math.Log10(s.hi)-math.Log10(s.lo)))
	} else {
		x = s.lo + f*(s.hi-s.lo)
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 3, 64), 64)
	return v
}

// slide adds a number setting typed in an entry or set with a slider over
// scale; the two follow each other, the entry holds the value.
func (f *settingsForm) slide(label, hint string, v float64, scale sliderScale, set func(*model.Config, float64)) {
	e := widget.NewEntry()
	e.SetText(strconv.FormatFloat(v, 'g', -1, 64))
	parse := func(c *model.Config, s string) error {
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a number", label, s)
		}
		set(c, x)
		return nil
	}
	e.Validator = func(s string) error { var c model.Config; return parse(&c, s) }
	sl := widget.NewSlider(0, 1)
	sl.Step = 0.001
	sl.Value = scale.toSlider(v)
	following := false // the entry and the slider set each other: one at a time
	sl.OnChanged = func(pos float64) {
		if following {
			return
		}
		following = true
		e.SetText(strconv.FormatFloat(scale.fromSlider(pos), 'g', -1, 64))
		following = false
	}
	e.OnChanged = func(s string) {
		if following {
			return
		}
		if x, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			following = true
			sl.SetValue(scale.toSlider(x))
			following = false
		}
	}
	row := container.NewGridWithColumns(2, e, sl)
	item := widget.NewFormItem(label, row)
	item.HintText = hint
	f.items = append(f.items, item)
	f.fields = append(f.fields, settingField{text: func() string { return e.Text }, put: e.SetText, set: parse})
}
