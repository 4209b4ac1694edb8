package cli

import (
	"fmt"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"latentlab/model"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/infra/render"
	"latentlab/model/measure"
)

// manifoldSize is the number of digits per side of the manifold picture.
const manifoldSize = 20

// writePictures writes <model>-manifold.png (a 20x20 grid over the plane of
// the first two latent axes: the prior's quantiles for VAE and GAN, the
// extent of the encoded test digits for an AE) and <model>-samples.png (100
// prior samples for VAE and GAN; test digits above their reconstructions for
// an AE), and for an AE or VAE <model>-samples-mixture.png (100 decodes of
// draws from a mixture of Gaussians fitted to the codes of train).
func writePictures(s *infer.Snapshot, train, test *dataset.Set, dir string, seed uint64) ([]string, error) {
	name := string(s.Kind())
	rows, cols := s.Config().ImageRows, s.Config().ImageCols
	y := 1
	if s.LatentDim() == 1 {
		y = 0
	}
	plane, err := infer.DefaultPlane(s, test, 0, y)
	if err != nil {
		return nil, err
	}
	grid, err := s.Manifold(plane, manifoldSize)
	if err != nil {
		return nil, err
	}
	manifold := filepath.Join(dir, name+"-manifold.png")
	if err := writeGrid(manifold, grid, rows, cols, manifoldSize); err != nil {
		return nil, err
	}

	var samples *mat.Dense
	if s.Kind() == model.KindAE {
		samples, err = reconstructions(s, test, 50)
	} else {
		samples, err = s.DecodeBatch(infer.SamplePrior(100, s.LatentDim(), seed))
	}
	if err != nil {
		return nil, err
	}
	samplesPath := filepath.Join(dir, name+"-samples.png")
	if err := writeGrid(samplesPath, samples, rows, cols, 10); err != nil {
		return nil, err
	}
	if !s.HasEncoder() {
		return []string{manifold, samplesPath}, nil
	}
	mix, _, err := measure.CodeMixture(s, train, measure.CodeMixtureImages, seed)
	if err != nil {
		return nil, err
	}
	if samples, err = s.DecodeBatch(mix.Sample(100, seed)); err != nil {
		return nil, err
	}
	mixturePath := filepath.Join(dir, name+"-samples-mixture.png")
	if err := writeGrid(mixturePath, samples, rows, cols, 10); err != nil {
		return nil, err
	}
	return []string{manifold, samplesPath, mixturePath}, nil
}

// reconstructions returns n test digits and their reconstructions in rows
// of ten: originals, then their reconstructions, and so on.
func reconstructions(s *infer.Snapshot, test *dataset.Set, n int) (*mat.Dense, error) {
	n = min(n, test.Len())
	x := test.Matrix(0, n)
	code, _, err := s.EncodeBatch(x)
	if err != nil {
		return nil, err
	}
	recon, err := s.DecodeBatch(code)
	if err != nil {
		return nil, err
	}
	out := mat.NewDense(2*n, test.Dim(), nil)
	for i := 0; i < n; i++ {
		block, col := i/10, i%10
		out.SetRow(block*20+col, x.RawRowView(i))
		out.SetRow(block*20+10+col, recon.RawRowView(i))
	}
	return out, nil
}

func writeGrid(path string, images *mat.Dense, rows, cols, perRow int) error {
	img, err := render.Tile(images, rows, cols, perRow, 2)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return render.WritePNG(path, img)
}
