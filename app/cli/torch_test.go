package cli

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"latentlab/model/checkpoint"
	"latentlab/model/dataset"
	"latentlab/model/infer"
)

// companion is the PyTorch companion's folder.
var companion, _ = filepath.Abs("../../cmd/latentlab-torch")

// torchPython returns a Python that imports torch (Debian's python3-torch,
// which `make test` installs); without one the test is skipped, or fails
// in CI.
func torchPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import torch").Run() == nil {
			return py
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no python3 with torch: `make test` installs python3-torch")
	}
	t.Skip("no python3 with torch (apt-get install python3-torch)")
	return ""
}

// python runs the companion's module or a script with args and fails the
// test on an error.
func python(t *testing.T, py string, args ...string) string {
	t.Helper()
	cmd := exec.Command(py, args...)
	cmd.Dir = companion
	cmd.Env = append(os.Environ(), "PYTHONPATH="+companion, "OMP_NUM_THREADS=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", py, args, err, out)
	}
	return string(out)
}

// torchDecode decodes the rows of z with the model file at path in PyTorch.
func torchDecode(t *testing.T, py, path string, z *mat.Dense) *mat.Dense {
	t.Helper()
	dir := t.TempDir()
	n, _ := z.Dims()
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = z.RawRowView(i)
	}
	b, _ := json.Marshal(rows)
	zPath, outPath := filepath.Join(dir, "z.json"), filepath.Join(dir, "images.json")
	if err := os.WriteFile(zPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	python(t, py, "-m", "latentlab_torch", "decode", "--weights", path, "--z", zPath, "--out", outPath)
	b, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	var images [][]float64
	if err := json.Unmarshal(b, &images); err != nil {
		t.Fatal(err)
	}
	out := mat.NewDense(n, len(images[0]), nil)
	for i, row := range images {
		out.SetRow(i, row)
	}
	return out
}

// sameImages fails unless a and b agree within float32 rounding (the two
// sides sum in different orders).
func sameImages(t *testing.T, what string, a, b *mat.Dense) {
	t.Helper()
	worst := 0.0
	for i, v := range a.RawMatrix().Data {
		worst = math.Max(worst, math.Abs(v-b.RawMatrix().Data[i]))
	}
	if worst > 1e-5 {
		t.Fatalf("%s: decodes differ by up to %g", what, worst)
	}
	t.Logf("%s: latentlab's and PyTorch's pixels differ by at most %.2g", what, worst)
}

// A latentlab model exported for PyTorch decodes the same images there;
// saved again by PyTorch and imported, its tensors are exactly the ones it
// started with.
func TestTorch_ExportDecodesTheSameAndRoundTripsExactly(t *testing.T) {
	py := torchPython(t)
	data, out := t.TempDir(), t.TempDir()
	writeIDX(t, data, 60)
	for _, kind := range []string{"vae", "gan", "ae"} {
		if code, _, stderr := run("train", "--model", kind, "--data", data, "--out", out, "--epochs", "1",
			"--hidden", "9,7", "--latent-dim", "3", "--batch-size", "16", "--validation", "10", "--quiet"); code != 0 {
			t.Fatalf("train %s: %s", kind, stderr)
		}
		imported := exportRoundTrip(t, py, out, kind, kind, 50, 7)
		if src, ok := imported.Source(); !ok || src.Name != data {
			t.Errorf("%s: the data source did not survive the round trip: %+v", kind, src)
		}
	}
}

// exportRoundTrip exports the checkpoint out/kind.safetensors for PyTorch,
// checks that n latent points drawn with seed decode there to the same
// images, saves it again through PyTorch's state_dict, imports that, checks
// every tensor came back unchanged and returns the imported checkpoint.
// what names the model in failures.
func exportRoundTrip(t *testing.T, py, out, kind, what string, n int, seed uint64) *checkpoint.Checkpoint {
	t.Helper()
	ckPath := filepath.Join(out, kind+".safetensors")
	torchPath := filepath.Join(out, kind+"-torch.safetensors")
	if code, _, stderr := run("export", "--torch", "--checkpoint", ckPath, "--out", torchPath); code != 0 {
		t.Fatalf("export %s: %s", what, stderr)
	}
	ck, err := checkpoint.Load(ckPath)
	if err != nil {
		t.Fatal(err)
	}
	z := infer.SamplePrior(n, ck.Config.LatentDim, seed)
	want, err := ck.Snapshot().DecodeBatch(z)
	if err != nil {
		t.Fatal(err)
	}
	sameImages(t, what+" exported", want, torchDecode(t, py, torchPath, z))

	// latentlab -> PyTorch -> latentlab.
	again, back := filepath.Join(out, kind+"-again.safetensors"), filepath.Join(out, kind+"-back.safetensors")
	python(t, py, "-c", "import sys, latentlab_torch as L; L.save(L.load(sys.argv[1]), sys.argv[2])", torchPath, again)
	if code, _, stderr := run("import", "--weights", again, "--out", back); code != 0 {
		t.Fatalf("import %s: %s", what, stderr)
	}
	imported, err := checkpoint.Load(back)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range ck.Weights() {
		if !slices.Equal(imported.Weights()[name], w) {
			t.Fatalf("%s: %s changed on its way through PyTorch", what, name)
		}
	}
	return imported
}

// A model made in PyTorch imports and decodes the same images in latentlab;
// a wrong file gets a message naming the tensor.
func TestTorch_ImportDecodesTheSame(t *testing.T) {
	py := torchPython(t)
	dir := t.TempDir()
	for _, kind := range []string{"vae", "gan"} {
		path := filepath.Join(dir, kind+"-torch.safetensors")
		python(t, py, "-m", "latentlab_torch", "init", "--kind", kind, "--latent-dim", "4", "--hidden", "12,8",
			"--rows", "5", "--cols", "6", "--seed", "3", "--out", path)
		ck := filepath.Join(dir, kind+".safetensors")
		if code, _, stderr := run("import", "--weights", path, "--out", ck); code != 0 {
			t.Fatalf("import %s: %s", kind, stderr)
		}
		loaded, err := checkpoint.Load(ck)
		if err != nil {
			t.Fatal(err)
		}
		z := infer.SamplePrior(40, 4, 9)
		got, err := loaded.Snapshot().DecodeBatch(z)
		if err != nil {
			t.Fatal(err)
		}
		sameImages(t, kind+" imported", got, torchDecode(t, py, path, z))
	}
	// Described as another latent size, the file's tensors do not fit.
	desc := filepath.Join(dir, "desc.json")
	os.WriteFile(desc, []byte(`{"format":"latentlab-torch","format_version":1,"kind":"vae","latent_dim":5,"hidden":[12,8],"activation":"relu","image_rows":5,"image_cols":6}`), 0o644)
	code, _, stderr := run("import", "--weights", filepath.Join(dir, "vae-torch.safetensors"), "--describe", desc, "--out", filepath.Join(dir, "x.safetensors"))
	if code == 0 || !strings.Contains(stderr, "tensor encoder.mu.weight has shape [4 8], want [5 8]") {
		t.Fatalf("import with a wrong description: exit %d, %q", code, stderr)
	}
}

// Two processes train with DistributedDataParallel (gloo, on the CPU) and
// write a file that latentlab imports and evaluates: an MLP VAE, and a
// DCGAN whose batch norm keeps its running statistics per process.
func TestTorch_TwoProcessRunImportsAndEvaluates(t *testing.T) {
	py := torchPython(t)
	for _, c := range []struct {
		kind, arch, hidden string
		side               int
	}{{"vae", "mlp", "16", 6}, {"gan", "conv", "3,4", 8}} {
		data, dir := t.TempDir(), t.TempDir()
		if err := dataset.WriteDir(data, &dataset.MNIST{Train: dataset.Noise(256, c.side, c.side, 1), Test: dataset.Noise(40, c.side, c.side, 2)}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, c.kind+"-torch.safetensors")
		// --redirects and --tee: with their defaults Debian's torchrun (PyTorch
		// 1.13 on Python 3.11) fails to start its workers.
		log := python(t, py, "-m", "torch.distributed.run", "--standalone", "--nnodes=1", "--nproc_per_node=2", "--redirects", "1", "--tee", "1", "train.py",
			"--data", data, "--kind", c.kind, "--arch", c.arch, "--latent-dim", "3", "--hidden", c.hidden, "--batch-size", "16", "--steps", "6", "--out", path)
		if !strings.Contains(log, "after 6 steps on 2 process(es)") {
			t.Fatalf("the two-process %s %s run did not say it finished:\n%s", c.arch, c.kind, log)
		}
		ck := filepath.Join(dir, c.kind+".safetensors")
		if code, _, stderr := run("import", "--weights", path, "--out", ck); code != 0 {
			t.Fatalf("import: %s", stderr)
		}
		want := `"test_loss"`
		if c.kind == "gan" {
			want = `"d_loss"`
		}
		code, stdout, stderr := run("eval", "--checkpoint", ck, "--data", data, "--iw-samples", "2")
		if code != 0 || !strings.Contains(stdout, want) {
			t.Fatalf("eval of the PyTorch-trained %s %s: exit %d\n%s\n%s", c.arch, c.kind, code, stdout, stderr)
		}
	}
}

// The convolutional models (convolutions, up-sampling by resizing or by
// transposed convolutions, batch norm with its running statistics) decode
// the same images in PyTorch's own layers (nn.Conv2d, nn.Upsample,
// nn.ConvTranspose2d, nn.BatchNorm2d in eval mode): an independent check
// of latentlab's layers as much as of the layout.
func TestTorch_ConvExportDecodesTheSame(t *testing.T) {
	py := torchPython(t)
	data := t.TempDir()
	if err := dataset.WriteDir(data, &dataset.MNIST{Train: dataset.Noise(80, 8, 8, 1), Test: dataset.Noise(20, 8, 8, 2)}); err != nil {
		t.Fatal(err)
	}
	for _, up := range []string{"resize", "transposed"} {
		out := t.TempDir()
		for _, kind := range []string{"vae", "gan", "ae"} {
			if code, _, stderr := run("train", "--model", kind, "--arch", "conv", "--upsample", up, "--hidden", "3,4", "--latent-dim", "3",
				"--data", data, "--out", out, "--epochs", "1", "--batch-size", "16", "--validation", "16", "--quiet"); code != 0 {
				t.Fatalf("train conv %s %s: %s", up, kind, stderr)
			}
			exportRoundTrip(t, py, out, kind, "conv "+up+" "+kind, 30, 5)
		}
	}
}
