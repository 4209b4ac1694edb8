package app

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/measure"
)

// ExploreOptions configure Explore; zero fields take the defaults.
type ExploreOptions struct {
	Components int  // principal directions (default 10, at most the latent dimension)
	FromDigit  bool // AE, VAE: traversals start at the code of test digit Digit
	Digit      int
	Seed       uint64 // GANSpace's prior points and PCA's sketch
}

// Exploration is a model's latent space summed up: its principal
// directions, how it uses each dimension, the test set's codes and the
// base point traversals start from.
type Exploration struct {
	Base       []float64             // the codes' mean (AE), a test digit's code, or the prior's mean
	Directions measure.Directions    // principal directions
	Use        *measure.DimensionUse // AE, VAE: use of each dimension on the test set
	Codes      *mat.Dense            // AE, VAE: the test set's codes (posterior means)
	Scores     *mat.Dense            // AE, VAE: the codes' coordinates along the directions
	Seconds    map[string]float64    // how long each part took
}

// Explore sums up the latent space of s on the test set (which an AE or
// VAE encodes; a GAN needs none).
func Explore(s *infer.Snapshot, test *dataset.Set, o ExploreOptions) (Exploration, error) {
	d := s.LatentDim()
	if o.Components <= 0 {
		o.Components = 10
	}
	o.Components = min(o.Components, d)
	e := Exploration{Base: make([]float64, d), Seconds: map[string]float64{}}
	timed := func(what string, f func() error) error {
		start := time.Now()
		err := f()
		e.Seconds[what] = time.Since(start).Seconds()
		return err
	}
	if s.HasEncoder() {
		if test == nil || test.Len() < 2 {
			return Exploration{}, fmt.Errorf("explore: the %s needs at least 2 test images to encode", s.Kind())
		}
		if o.FromDigit && (o.Digit < 0 || o.Digit >= test.Len()) {
			return Exploration{}, fmt.Errorf("explore: test digit %d of %d", o.Digit, test.Len())
		}
		var logVars *mat.Dense // a VAE's, for the KL per dimension: one pass encodes both
		if err := timed("encode", func() (err error) {
			e.Codes, logVars, err = infer.EncodeSetWithLogVar(s, test)
			return err
		}); err != nil {
			return Exploration{}, err
		}
		if err := timed("use_of_dimensions", func() error {
			use, err := measure.UseOfCodes(e.Codes, logVars)
			e.Use = &use
			return err
		}); err != nil {
			return Exploration{}, err
		}
		n, _ := e.Codes.Dims()
		switch {
		case o.FromDigit:
			copy(e.Base, e.Codes.RawRowView(o.Digit))
		case s.Kind() == model.KindAE: // an AE's codes sit wherever training put them
			for i := range n {
				for j, v := range e.Codes.RawRowView(i) {
					e.Base[j] += v / float64(n)
				}
			}
		}
	} else if o.FromDigit {
		return Exploration{}, fmt.Errorf("explore: the %s has no encoder to put a test digit in its latent space", s.Kind())
	}
	if err := timed("principal_directions", func() (err error) {
		if e.Codes != nil { // the codes just encoded: no second encoding
			e.Directions, err = measure.DirectionsOfCodes(e.Codes, o.Components, o.Seed)
		} else {
			e.Directions, err = measure.PrincipalDirections(s, test, o.Components, o.Seed)
		}
		return err
	}); err != nil {
		return Exploration{}, err
	}
	if e.Codes != nil {
		e.Scores = e.Directions.Coordinates(e.Codes)
	}
	return e, nil
}

// WriteCodesCSV writes codes (n x d) with their labels and, where scores
// is not nil, their coordinates along principal directions, and where
// embedding is not nil, their place on a 2-D map (its rows are the first
// codes'; later rows leave the columns empty): label, z0, z1, ..., pc1,
// pc2, ..., tsne1, tsne2.
func WriteCodesCSV(w io.Writer, codes *mat.Dense, labels []uint8, scores, embedding *mat.Dense) error {
	n, d := codes.Dims()
	k, mapped := 0, 0
	if scores != nil {
		_, k = scores.Dims()
	}
	if embedding != nil {
		mapped, _ = embedding.Dims()
	}
	if len(labels) < n {
		return fmt.Errorf("codes csv: %d labels for %d codes", len(labels), n)
	}
	cw := csv.NewWriter(w)
	extra := 0
	if embedding != nil {
		extra = 2
	}
	row := make([]string, 1+d+k+extra)
	row[0] = "label"
	for j := range d {
		row[1+j] = fmt.Sprintf("z%d", j)
	}
	for j := range k {
		row[1+d+j] = fmt.Sprintf("pc%d", j+1)
	}
	if extra > 0 {
		row[1+d+k], row[2+d+k] = "tsne1", "tsne2"
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for i := range n {
		row[0] = strconv.Itoa(int(labels[i]))
		for j, v := range codes.RawRowView(i) {
			row[1+j] = strconv.FormatFloat(v, 'g', 6, 64)
		}
		for j := range k {
			row[1+d+j] = strconv.FormatFloat(scores.At(i, j), 'g', 6, 64)
		}
		if extra > 0 {
			row[1+d+k], row[2+d+k] = "", ""
			if i < mapped {
				row[1+d+k] = strconv.FormatFloat(embedding.At(i, 0), 'g', 6, 64)
				row[2+d+k] = strconv.FormatFloat(embedding.At(i, 1), 'g', 6, 64)
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
