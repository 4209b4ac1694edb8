package cli

import (
	"context"
	"flag"
	"fmt"
	"image/gif"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"time"

	"gonum.org/v1/gonum/mat"

	"latentlab/app"
	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/infra/render"
	"latentlab/model/infra/safefile"
	"latentlab/model/measure"
)

// exploreReport is what `latentlab explore` prints and writes as JSON.
type exploreReport struct {
	Model     string `json:"model"`
	Arch      string `json:"arch"`
	LatentDim int    `json:"latent_dim"`
	// Base is the point the plane passes through and the traversals sweep
	// around.
	Base []float64 `json:"base"`
	// Directions: how the principal directions were found and the share of
	// the variance each explains.
	Method    string    `json:"directions_method"`
	Explained []float64 `json:"explained_variance"`
	// AE, VAE: how each dimension is used on the test set.
	Dimensions  *measure.DimensionUse `json:"dimensions,omitempty"`
	ActiveUnits *int                  `json:"active_units,omitempty"`
	// Traversal rows, top to bottom, of the axes' and the directions'
	// pictures.
	AxisRows      []measure.TraversalRow `json:"axis_rows"`
	DirectionRows []measure.TraversalRow `json:"direction_rows"`
	// The training digits nearest the base point's digit.
	NearestByPixels   []measure.Neighbour `json:"nearest_by_pixels,omitempty"`
	NearestByFeatures []measure.Neighbour `json:"nearest_by_classifier_features,omitempty"`
	Seconds           map[string]float64  `json:"seconds"`
	Wrote             []string            `json:"wrote"`
}

// runExplore writes pictures and figures of a model's latent space.
func runExplore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	path := fs.String("checkpoint", "", "model: a checkpoint file, or pretrained:NAME for a shipped one (required)")
	data := fs.String("data", "", "directory of IDX files the model was trained on (default: the embedded MNIST)")
	out := fs.String("out", ".", "directory for the pictures, the codes and the JSON")
	components := fs.Int("components", 10, "principal directions to find (at most the latent dimension)")
	steps := fs.Int("steps", 9, "images per traversal row, from -3 to +3 standard deviations")
	digit := fs.Int("digit", -1, "ae, vae: sweep around the code of this test digit (default: the codes' mean for an AE, the origin otherwise)")
	seed := fs.Uint64("seed", 1, "seed of GANSpace's prior points and of the t-SNE map")
	neighbours := fs.Int("neighbours", 8, "training digits nearest the base point's digit to show, in pixels and in the classifier's features (0: none)")
	tsne := fs.Int("tsne", 0, "ae, vae: also place the first N test digits' codes on a t-SNE map (tsne1, tsne2 in the CSV; 0: none)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: latentlab explore --checkpoint FILE [--out DIR]\n\nWrites the principal plane's manifold, latent traversals over the axes and the principal\ndirections (PNG and animated GIF), the test set's codes with their principal coordinates (CSV),\nand the explained variance, KL per dimension and active units (JSON, also printed).\n\nflags:")
		fs.PrintDefaults()
	}
	set, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	switch {
	case !set["checkpoint"] || *path == "":
		return usagef("--checkpoint is required")
	case *components < 1 || *components > 256:
		return usagef("--components %d: must be between 1 and 256", *components)
	case *steps < 2 || *steps > 64:
		return usagef("--steps %d: must be between 2 and 64", *steps)
	case *neighbours < 0 || *neighbours > 100:
		return usagef("--neighbours %d: must be between 0 and 100", *neighbours)
	case *tsne < 0 || *tsne == 1 || *tsne > 70000:
		return usagef("--tsne %d: must be 0 (none) or between 2 and 70000", *tsne)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return usagef("--out: %v", err)
	}
	ck, err := app.LoadCheckpoint(*path)
	if err != nil {
		return err
	}
	if ck.Config.Kind == model.KindClassifier {
		return usagef("--checkpoint %s is the digit classifier, not a model with a latent space", *path)
	}
	s := ck.Snapshot()
	opts := app.ExploreOptions{Components: *components, Seed: *seed, FromDigit: set["digit"], Digit: *digit}
	var d *app.Data
	if s.HasEncoder() || *neighbours > 0 {
		if d, _, err = dataFor(ck, *path, *data, set["data"], "explore"); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e, err := app.Explore(s, testOf(d), opts)
	if err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	rep := exploreReport{Model: string(ck.Config.Kind), Arch: string(ck.Config.Family()), LatentDim: s.LatentDim(),
		Base: e.Base, Method: e.Directions.Method, Explained: e.Directions.Explained, Dimensions: e.Use, Seconds: e.Seconds}
	if e.Use != nil {
		n := e.Use.ActiveCount()
		rep.ActiveUnits = &n
	}
	w := &exploreWriter{s: s, dir: *out, name: rep.Model, steps: *steps, rep: &rep}
	rep.AxisRows = measure.AxisRows(s, e.Use)
	rep.DirectionRows = measure.DirectionRows(e.Directions)
	w.traversal("axes", rep.AxisRows, e.Base)
	w.traversal("directions", rep.DirectionRows, e.Base)
	if len(e.Directions.Vectors) >= 2 {
		w.plane(e)
	} else {
		fmt.Fprintf(stderr, "latentlab explore: a %d-dimensional latent space has no principal plane\n", s.LatentDim())
	}
	var embedding *mat.Dense
	if *tsne > 0 && e.Codes != nil {
		n, dim := e.Codes.Dims()
		start := time.Now()
		embedding, err = measure.TSNE(ctx, e.Codes.Slice(0, min(*tsne, n), 0, dim).(*mat.Dense), measure.TSNEOptions{Seed: *seed})
		if err != nil {
			return fmt.Errorf("t-SNE of %s's codes: %w", *path, err)
		}
		rep.Seconds["tsne"] = time.Since(start).Seconds()
	} else if *tsne > 0 {
		fmt.Fprintf(stderr, "latentlab explore: the %s has no encoder: no codes to map\n", rep.Model)
	}
	if e.Codes != nil {
		w.write(rep.Model+"-codes.csv", func(f io.Writer) error { return app.WriteCodesCSV(f, e.Codes, d.Test.Labels, e.Scores, embedding) })
	}
	if *neighbours > 0 {
		w.neighbours(ctx, e.Base, d, *neighbours)
	}
	if w.err != nil {
		return w.err
	}
	summary := filepath.Join(*out, rep.Model+"-latent.json")
	rep.Wrote = append(rep.Wrote, summary)
	if err := safefile.WriteFile(summary, func(f io.Writer) error { return printJSON(f, rep) }); err != nil {
		return err
	}
	return printJSON(stdout, rep)
}

// testOf returns d's test set, nil without data.
func testOf(d *app.Data) *dataset.Set {
	if d == nil {
		return nil
	}
	return d.Test
}

// exploreWriter writes explore's files, keeping the first error.
type exploreWriter struct {
	s     *infer.Snapshot
	dir   string
	name  string
	steps int
	rep   *exploreReport
	err   error
}

// write writes one file atomically.
func (w *exploreWriter) write(name string, f func(io.Writer) error) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.dir, name)
	if w.err = safefile.WriteFile(p, f); w.err == nil {
		w.rep.Wrote = append(w.rep.Wrote, p)
	}
}

// traversal writes <model>-traversal-<what>.png (a row per direction) and
// .gif (every row's image sweeping back and forth).
func (w *exploreWriter) traversal(what string, rows []measure.TraversalRow, base []float64) {
	if w.err != nil || len(rows) == 0 {
		return
	}
	start := time.Now()
	images, err := measure.Traversal(w.s, base, rows, w.steps)
	w.rep.Seconds["traversal_"+what] = time.Since(start).Seconds()
	if err != nil {
		w.err = err
		return
	}
	cfg := w.s.Config()
	grid, err := render.Tile(images, cfg.ImageRows, cfg.ImageCols, w.steps, 2)
	if err != nil {
		w.err = err
		return
	}
	w.write(fmt.Sprintf("%s-traversal-%s.png", w.name, what), func(f io.Writer) error { return png.Encode(f, grid) })
	cols := 1
	for cols*cols < len(rows) {
		cols++
	}
	anim, err := render.Sweep(images, len(rows), w.steps, cfg.ImageRows, cfg.ImageCols, cols, 2, 12)
	if err != nil {
		w.err = err
		return
	}
	w.write(fmt.Sprintf("%s-traversal-%s.gif", w.name, what), func(f io.Writer) error { return gif.EncodeAll(f, anim) })
}

// plane writes <model>-plane-pc1-pc2.png: a manifold over the plane of the
// first two principal directions through the base point.
func (w *exploreWriter) plane(e app.Exploration) {
	if w.err != nil {
		return
	}
	p, err := e.Directions.Plane(0, 1, e.Base, e.Codes)
	if err != nil {
		w.err = err
		return
	}
	grid, err := w.s.Manifold(p, manifoldSize)
	if err != nil {
		w.err = err
		return
	}
	cfg := w.s.Config()
	img, err := render.Tile(grid, cfg.ImageRows, cfg.ImageCols, manifoldSize, 2)
	if err != nil {
		w.err = err
		return
	}
	w.write(w.name+"-plane-pc1-pc2.png", func(f io.Writer) error { return png.Encode(f, img) })
}

// neighbours writes <model>-neighbours.png: the digit at base, then the k
// training digits nearest it in pixels, then in the digit classifier's
// features (on MNIST), and puts them in the report.
func (w *exploreWriter) neighbours(ctx context.Context, base []float64, d *app.Data, k int) {
	if w.err != nil {
		return
	}
	start := time.Now()
	img, err := w.s.Decode(base)
	if err != nil {
		w.err = err
		return
	}
	train := d.Train
	if w.rep.NearestByPixels, err = measure.NearestByPixels(img, train, k); err != nil {
		w.err = err
		return
	}
	if clf, why, err := classifierFor("", d.Source); err == nil && why == "" && clf.Pixels() == len(img) {
		index, err := measure.NewFeatureIndex(ctx, clf, train)
		if err != nil {
			w.err = err
			return
		}
		if w.rep.NearestByFeatures, err = index.Nearest(img, k); err != nil {
			w.err = err
			return
		}
	}
	w.rep.Seconds["neighbours"] = time.Since(start).Seconds()
	// k to a line: the model's digit alone on the first, then each kind of
	// neighbour on a line of its own.
	grid := mat.NewDense(3*k, len(img), nil)
	grid.SetRow(0, img)
	for r, ns := range [][]measure.Neighbour{w.rep.NearestByPixels, w.rep.NearestByFeatures} {
		for j, n := range ns {
			grid.SetRow((r+1)*k+j, train.Matrix(n.Index, n.Index+1).RawRowView(0))
		}
	}
	cfg := w.s.Config()
	tile, err := render.Tile(grid, cfg.ImageRows, cfg.ImageCols, k, 2)
	if err != nil {
		w.err = err
		return
	}
	w.write(w.name+"-neighbours.png", func(f io.Writer) error { return png.Encode(f, tile) })
}
