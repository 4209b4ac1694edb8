package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/dataset"
	"latentlab/model/infra/safefile"
	"latentlab/model/infra/safetensors"
	"latentlab/model/pytorch"
)

// runExport writes a checkpoint's weights in PyTorch's layout, or as a
// pretrained model is shipped.
func runExport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	torch := fs.Bool("torch", false, "write the state_dict in PyTorch's layout (nn.Linear.weight [out, in]) as safetensors")
	half := fs.Bool("half", false, "write a weights-only latentlab checkpoint in half precision, a GAN as its generator alone: the format of the pretrained models in assets/pretrained")
	path := fs.String("checkpoint", "", "latentlab checkpoint to export (required)")
	out := fs.String("out", "", "file to write, such as vae-torch.safetensors (required)")
	force := fs.Bool("force", false, "replace --out if it exists")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: latentlab export --torch|--half --checkpoint FILE --out FILE\n\nWith --torch the file loads with the companion in cmd/latentlab-torch (or safetensors.torch.load_file).\n\nflags:")
		fs.PrintDefaults()
	}
	set, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	switch {
	case *torch == *half:
		return usagef("give one format: --torch (PyTorch's layout) or --half (a pretrained model's)")
	case !set["checkpoint"] || *path == "":
		return usagef("--checkpoint is required")
	case !set["out"] || *out == "":
		return usagef("--out is required")
	}
	if err := refuseExisting(*out, *force); err != nil {
		return err
	}
	ck, err := checkpoint.Load(*path)
	if err != nil {
		return err
	}
	if *half {
		return exportHalf(ck, *path, *out, stderr)
	}
	var src *dataset.Source
	if s, ok := ck.Source(); ok {
		src = &s
	}
	f, err := pytorch.Export(ck.Config, ck.Weights(), src)
	if err != nil {
		return err
	}
	if err := safefile.WriteFile(*out, func(w io.Writer) error { return safetensors.Write(w, f) }); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: the %s's state_dict in PyTorch's layout, its description in the metadata (%q)\n", *out, ck.Config.Kind, pytorch.MetadataKey)
	return printJSON(stdout, pytorch.Describe(ck.Config, src))
}

// exportHalf writes ck, read from path, as a pretrained model is shipped:
// its weights in half precision, a GAN's generator alone.
func exportHalf(ck *checkpoint.Checkpoint, path, out string, stderr io.Writer) error {
	what := "weights"
	if ck.Config.Kind == model.KindGAN && ck.Config.Parts == "" {
		var err error
		if ck, err = ck.DecoderOnly(); err != nil {
			return err
		}
		what = "generator's weights"
	}
	if err := ck.SaveWeightsHalf(out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: the %s's %s in half precision\n", out, ck.Config.Kind, what)
	return nil
}

// runImport turns a state_dict in PyTorch's layout into a checkpoint.
func runImport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	weights := fs.String("weights", "", "state_dict in PyTorch's layout, as safetensors (required)")
	describe := fs.String("describe", "", "JSON description of the architecture (default: the one in the file's metadata)")
	out := fs.String("out", "", "latentlab checkpoint to write, such as vae.safetensors (required)")
	force := fs.Bool("force", false, "replace --out if it exists")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: latentlab import --weights FILE [--describe JSON] --out FILE\n\nflags:")
		fs.PrintDefaults()
	}
	set, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	switch {
	case !set["weights"] || *weights == "":
		return usagef("--weights is required")
	case !set["out"] || *out == "":
		return usagef("--out is required")
	}
	if err := refuseExisting(*out, *force); err != nil {
		return err
	}
	f, err := safetensors.ReadFile(*weights)
	if err != nil {
		return fmt.Errorf("--weights: %w", err)
	}
	var desc pytorch.Description
	if *describe != "" {
		b, err := os.ReadFile(*describe)
		if err != nil {
			return fmt.Errorf("--describe: %w", err)
		}
		if err := json.Unmarshal(b, &desc); err != nil {
			return fmt.Errorf("--describe %s is not a description: %w", *describe, err)
		}
	} else if desc, err = pytorch.ReadDescription(f); err != nil {
		return fmt.Errorf("--weights %s: %w", *weights, err)
	}
	cfg, w, err := pytorch.Import(f, desc)
	if err != nil {
		return fmt.Errorf("--weights %s: %w", *weights, err)
	}
	if err := checkpoint.WriteWeights(*out, cfg, w, desc.Data, "imported from PyTorch: "+*weights); err != nil {
		return err
	}
	ck, err := checkpoint.Load(*out)
	if err != nil {
		return fmt.Errorf("the imported checkpoint does not load back: %w", err)
	}
	fmt.Fprintf(stderr, "wrote %s: a %s with latent dimension %d, weights only\n", *out, ck.Config.Kind, ck.Config.LatentDim)
	return printJSON(stdout, pytorch.Describe(ck.Config, desc.Data))
}

// refuseExisting returns a usage error if something is at path and force
// is not set: a command never replaces a file it was not told to.
func refuseExisting(path string, force bool) error {
	if !force && fileExists(path) {
		return usagef("--out %s exists: choose another --out, or replace it with --force", path)
	}
	return nil
}
