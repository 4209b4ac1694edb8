package nn

// Recalibrator is a layer that normalises its input with running
// statistics (batch norm). Recalibrating sets them to the statistics of a
// sample of the layer's inputs, gathered over chunks of it: AddMoments for
// each chunk, then SetStatistics. A network whose weights were averaged
// over training needs this: the running statistics training keeps belong
// to the last weights, not to their average (Izmailov et al. 2018,
// "Averaging Weights Leads to Wider Optima and Better Generalization",
// section 3.2; PyTorch's torch.optim.swa_utils.update_bn).
type Recalibrator interface {
	Layer
	// NewMoments returns empty moments with one channel for each pair of
	// statistics (a mean and a variance) the layer keeps.
	NewMoments() *Moments
	// AddMoments adds the values of the n rows of x to m, each to its
	// channel's moments.
	AddMoments(m *Moments, x []float32, n int)
	// SetStatistics sets the running statistics in w (the layer's weights
	// in Params order) to m's means and unbiased variances.
	SetStatistics(w [][]float32, m *Moments)
}

// Moments holds, per channel, the count, sum and sum of squares of values,
// in float64 so that a sample of millions of float32 values keeps its
// precision.
type Moments struct {
	Count, Sum, SumSq []float64
}

// NewMoments returns zero moments of the given number of channels.
func NewMoments(channels int) *Moments {
	return &Moments{Count: make([]float64, channels), Sum: make([]float64, channels), SumSq: make([]float64, channels)}
}

// Add adds the values vs to channel c.
func (m *Moments) Add(c int, vs []float32) {
	var s, q float64
	for _, v := range vs {
		s += float64(v)
		q += float64(v) * float64(v)
	}
	m.Count[c] += float64(len(vs))
	m.Sum[c] += s
	m.SumSq[c] += q
}

// Mean returns channel c's mean, 0 for no values.
func (m *Moments) Mean(c int) float64 {
	if m.Count[c] == 0 {
		return 0
	}
	return m.Sum[c] / m.Count[c]
}

// Variance returns channel c's unbiased variance, sum (v - mean)^2 /
// (count - 1), as PyTorch's running_var holds it; 0 for fewer than two
// values.
func (m *Moments) Variance(c int) float64 {
	n := m.Count[c]
	if n < 2 {
		return 0
	}
	mean := m.Mean(c)
	return max(0, (m.SumSq[c]-n*mean*mean)/(n-1))
}
