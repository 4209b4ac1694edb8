package measure

import (
	"fmt"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/infer"
)

// TraversalSpan is how far a traversal sweeps each way, in standard
// deviations of the model's points along its direction (Higgins et al.
// 2017 and disentanglement_lib sweep ±2 to ±3).
const TraversalSpan = 3

// TraversalRow is one row of a latent traversal: a direction of latent
// space, how far to sweep along it each way, and its name.
type TraversalRow struct {
	Name      string    `json:"name"`
	Direction []float64 `json:"-"`
	Span      float64   `json:"span"`
	Inactive  bool      `json:"inactive,omitempty"` // a VAE dimension below ActivityThreshold
	Score     float64   `json:"score"`              // what orders the rows: KL (VAE), activity (AE), explained variance
}

// Traversal decodes the points of TraversalPoints: row r's images are
// rows r·steps to (r+1)·steps-1 of the result (pixels in [0, 1]).
func Traversal(s *infer.Snapshot, base []float64, rows []TraversalRow, steps int) (*mat.Dense, error) {
	z, err := TraversalPoints(s.LatentDim(), base, rows, steps)
	if err != nil {
		return nil, err
	}
	return s.DecodeBatch(z)
}

// TraversalPoints returns, for each row, steps points evenly spaced from
// base - Span·Direction to base + Span·Direction, in a d-dimensional
// latent space: row r's points are rows r·steps to (r+1)·steps-1.
func TraversalPoints(d int, base []float64, rows []TraversalRow, steps int) (*mat.Dense, error) {
	if len(base) != d {
		return nil, fmt.Errorf("measure: traversal from a point of %d dimensions in a latent space of %d", len(base), d)
	}
	if steps < 2 || steps > 64 {
		return nil, fmt.Errorf("measure: traversal of %d steps: between 2 and 64", steps)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("measure: traversal of no directions")
	}
	z := mat.NewDense(len(rows)*steps, d, nil)
	for r, row := range rows {
		if len(row.Direction) != d {
			return nil, fmt.Errorf("measure: traversal row %s has %d dimensions, the latent space %d", row.Name, len(row.Direction), d)
		}
		for i := range steps {
			t := row.Span * (2*float64(i)/float64(steps-1) - 1)
			pt := z.RawRowView(r*steps + i)
			copy(pt, base)
			floats.AddScaled(pt, t, row.Direction)
		}
	}
	return z, nil
}

// AxisRows returns one traversal row per latent axis, most used first:
// ordered by KL with inactive dimensions marked (VAE), by the codes'
// variance (AE, use from UseOfDimensions), in axis order (GAN: use is
// nil). A row spans TraversalSpan standard deviations: of the codes (AE),
// of the prior (VAE, GAN).
func AxisRows(s *infer.Snapshot, use *DimensionUse) []TraversalRow {
	d := s.LatentDim()
	order := make([]int, d)
	for i := range order {
		order[i] = i
	}
	if use != nil {
		order = use.Order
	}
	rows := make([]TraversalRow, 0, d)
	for _, j := range order {
		row := TraversalRow{Name: fmt.Sprintf("z%d", j), Direction: make([]float64, d), Span: TraversalSpan}
		row.Direction[j] = 1
		if use != nil {
			row.Score = use.Activity[j]
			if s.Kind() == model.KindVAE {
				row.Score, row.Inactive = use.KL[j], !use.Active[j]
			} else {
				row.Span = TraversalSpan * sqrtPos(use.Activity[j])
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// DirectionRows returns one traversal row per principal direction, each
// spanning TraversalSpan standard deviations of the model's points
// along it.
func DirectionRows(dirs Directions) []TraversalRow {
	rows := make([]TraversalRow, len(dirs.Vectors))
	for j, v := range dirs.Vectors {
		rows[j] = TraversalRow{Name: fmt.Sprintf("PC%d", j+1), Direction: v, Span: TraversalSpan * dirs.Spread[j], Score: dirs.Explained[j]}
	}
	return rows
}
