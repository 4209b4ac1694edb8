package app

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"sync"
)

// maxPoints bounds the points a series keeps; past it, neighbours merge.
const maxPoints = 1200

// Series is a named line of a loss chart: x in epochs, y its values.
type Series struct {
	Name string
	X, Y []float64
}

// History records a session's losses over training time for charts. Each
// series keeps at most maxPoints points: values are averaged over buckets
// of stride additions, and when a series fills up, neighbouring points
// merge and the stride doubles, so a long run keeps its whole shape.
// Safe for concurrent use.
type History struct {
	mu     sync.Mutex
	order  []string
	series map[string]*series
}

type series struct {
	x, y   []float64
	stride int
	sumX   float64
	sumY   float64
	n      int
}

// NewHistory returns an empty history.
func NewHistory() *History { return &History{series: map[string]*series{}} }

// Add records value y at training time x (epochs) in the named series.
// Every value is kept as given; bucketing only averages.
func (h *History) Add(name string, x, y float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.series[name]
	if !ok {
		s = &series{stride: 1}
		h.series[name] = s
		h.order = append(h.order, name)
	}
	s.sumX += x
	s.sumY += y
	s.n++
	if s.n < s.stride {
		return
	}
	s.x = append(s.x, s.sumX/float64(s.n))
	s.y = append(s.y, s.sumY/float64(s.n))
	s.sumX, s.sumY, s.n = 0, 0, 0
	if len(s.x) >= maxPoints {
		half := len(s.x) / 2
		for i := 0; i < half; i++ {
			s.x[i] = (s.x[2*i] + s.x[2*i+1]) / 2
			s.y[i] = (s.y[2*i] + s.y[2*i+1]) / 2
		}
		s.x, s.y = s.x[:half], s.y[:half]
		s.stride *= 2
	}
}

// Series returns copies of the named series, in the order they were
// first added; with no names, all of them.
func (h *History) Series(names ...string) []Series {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(names) == 0 {
		names = h.order
	}
	var out []Series
	for _, name := range names {
		s, ok := h.series[name]
		if !ok {
			continue
		}
		out = append(out, Series{Name: name, X: slices.Clone(s.x), Y: slices.Clone(s.y)})
	}
	return out
}

// Last returns the newest point of a series, and false if it has none.
func (h *History) Last(name string) (x, y float64, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, found := h.series[name]
	if !found || len(s.x) == 0 {
		return 0, 0, false
	}
	return s.x[len(s.x)-1], s.y[len(s.y)-1], true
}

// WriteHistoryCSV writes every series of h as CSV, one point a line:
// series, epoch, value.
func WriteHistoryCSV(w io.Writer, h *History) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"series", "epoch", "value"}); err != nil {
		return err
	}
	for _, s := range h.Series() {
		for i := range s.X {
			if err := cw.Write([]string{s.Name, strconv.FormatFloat(s.X[i], 'g', 8, 64), strconv.FormatFloat(s.Y[i], 'g', 8, 64)}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
