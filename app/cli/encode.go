package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/gonum/mat"

	"latentlab/app"
	"latentlab/model"
	"latentlab/model/digit"
	"latentlab/model/infer"
	"latentlab/model/infra/render"
)

// classified is the digit classifier's answer for one image.
type classified struct {
	Label      int     `json:"label"`
	Confidence float64 `json:"confidence"`
}

// encodeReport is what `latentlab encode` prints.
type encodeReport struct {
	Model string `json:"model"`
	Arch  string `json:"arch"`
	Image string `json:"image"`
	// AE and VAE: the code (the posterior's mean), the VAE's log-variance,
	// the summed binary cross-entropy of the image decoded from the code,
	// the VAE's KL and -ELBO with the reconstruction taken at the mean.
	Code               []float64 `json:"code,omitempty"`
	LogVariance        []float64 `json:"log_variance,omitempty"`
	ReconstructionLoss *float64  `json:"reconstruction_loss,omitempty"`
	KL                 *float64  `json:"kl,omitempty"`
	NegativeELBO       *float64  `json:"negative_elbo_at_mean,omitempty"`
	// GAN: the latent point found by inverting the generator, the distance
	// (Euclidean, over the pixels) of its image from the input, and a
	// random point's, for scale.
	Z              []float64 `json:"z,omitempty"`
	Distance       *float64  `json:"distance,omitempty"`
	RandomDistance *float64  `json:"random_z_distance,omitempty"`
	// The shipped digit classifier's answer for the input and for the
	// model's image (absent on other data than MNIST).
	Input  *classified `json:"input_class,omitempty"`
	Answer *classified `json:"answer_class,omitempty"`
	Wrote  []string    `json:"wrote"`
}

// runEncode finds an image of a digit in a model's latent space.
func runEncode(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("encode", flag.ContinueOnError)
	path := fs.String("checkpoint", "", "model: a checkpoint file, or pretrained:NAME for a shipped one (required)")
	imagePath := fs.String("image", "", "PNG, JPEG or GIF image of a digit, any size, dark on light or light on dark (required)")
	out := fs.String("out", ".", "directory for the preprocessed input and the model's answer as PNG")
	seed := fs.Uint64("seed", 1, "gan: seed of the inversion's starting points")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: latentlab encode --checkpoint FILE --image PATH [--out DIR]\n\nThe image is preprocessed as MNIST's digits were; an AE or VAE encodes it, a GAN's generator is inverted.\n\nflags:")
		fs.PrintDefaults()
	}
	set, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	switch {
	case !set["checkpoint"] || *path == "":
		return usagef("--checkpoint is required")
	case !set["image"] || *imagePath == "":
		return usagef("--image is required")
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
	if r, c := ck.Config.ImageRows, ck.Config.ImageCols; r != digit.Frame || c != digit.Frame {
		return fmt.Errorf("%s draws %d x %d images; encode prepares digits as MNIST's, %d x %d", *path, r, c, digit.Frame, digit.Frame)
	}
	f, err := os.Open(*imagePath)
	if err != nil {
		return err
	}
	img, err := digit.Read(f, *imagePath)
	f.Close()
	if err != nil {
		return err
	}
	x, err := digit.Prepare(img)
	if err != nil {
		return fmt.Errorf("%s: %w", *imagePath, err)
	}
	s := ck.Snapshot()
	rep := encodeReport{Model: string(ck.Config.Kind), Arch: string(ck.Config.Family()), Image: *imagePath}
	ans, err := app.Answer(s, x, *seed)
	if err != nil {
		return err
	}
	answer := ans.Image
	if s.HasEncoder() {
		rep.Code, rep.LogVariance, rep.ReconstructionLoss = ans.Z, ans.LogVar, &ans.ReconLoss
		if ans.LogVar != nil {
			elbo := ans.ReconLoss + ans.KL
			rep.KL, rep.NegativeELBO = &ans.KL, &elbo
		}
	} else {
		rep.Z, rep.Distance, rep.RandomDistance = ans.Z, &ans.Distance, &ans.RandomDistance
	}
	if src, ok := ck.Source(); ok {
		if clf, why, err := classifierFor("", src); err == nil && why == "" {
			rep.Input, rep.Answer = classify(clf, x), classify(clf, answer)
		}
	}
	base := strings.TrimSuffix(filepath.Base(*imagePath), filepath.Ext(*imagePath))
	for _, w := range []struct {
		name   string
		pixels []float64
	}{{base + "-input.png", x}, {base + "-" + rep.Model + ".png", answer}} {
		tile, err := render.Tile(mat.NewDense(1, len(w.pixels), w.pixels), digit.Frame, digit.Frame, 1, 0)
		if err != nil {
			return err
		}
		p := filepath.Join(*out, w.name)
		if err := render.WritePNG(p, tile); err != nil {
			return err
		}
		rep.Wrote = append(rep.Wrote, p)
	}
	return printJSON(stdout, rep)
}

// classify returns the classifier's most probable label for x and its
// probability, nil where it cannot read x.
func classify(clf *infer.Snapshot, x []float64) *classified {
	label, p, err := clf.Label(x)
	if err != nil {
		return nil
	}
	return &classified{Label: label, Confidence: p}
}
