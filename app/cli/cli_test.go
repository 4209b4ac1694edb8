package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"latentlab/app"
	"latentlab/assets"
	"latentlab/model"
	"latentlab/model/checkpoint"
	"latentlab/model/dataset"
	"latentlab/model/infer"
	"latentlab/model/infra/render"
	"latentlab/model/infra/safefile"
	"latentlab/model/infra/safetensors"
	"latentlab/model/measure"
	"latentlab/model/train"
)

// writeIDX writes a small MNIST-layout data set of n train and n test
// random 6x6 images into dir.
func writeIDX(t *testing.T, dir string, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, split := range []string{"train", "t10k"} {
		var img, lab bytes.Buffer
		binary.Write(&img, binary.BigEndian, []uint32{0x803, uint32(n), 6, 6})
		binary.Write(&lab, binary.BigEndian, []uint32{0x801, uint32(n)})
		for i := 0; i < n; i++ {
			for j := 0; j < 36; j++ {
				img.WriteByte(byte(rng.IntN(256)))
			}
			lab.WriteByte(byte(i % 10))
		}
		if err := os.WriteFile(filepath.Join(dir, split+"-images-idx3-ubyte"), img.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, split+"-labels-idx1-ubyte"), lab.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = RunContext(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRun_BadFlagsExitNonZeroNamingTheFlag(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train"}, "--model is required"},
		{[]string{"train", "--model", "cnn"}, "--model"},
		{[]string{"train", "--model", "vae", "--lr", "0"}, "--lr"},
		{[]string{"train", "--model", "vae", "--lr", "NaN"}, "--lr"},
		{[]string{"train", "--model", "vae", "--lr", "-1"}, "--lr"},
		{[]string{"train", "--model", "vae", "--batch-size", "0"}, "--batch-size"},
		{[]string{"train", "--model", "vae", "--latent-dim", "0"}, "--latent-dim"},
		{[]string{"train", "--model", "vae", "--latent-dim", "100000"}, "--latent-dim"},
		{[]string{"train", "--model", "vae", "--epochs", "-1"}, "--epochs"},
		{[]string{"train", "--model", "vae", "--optimizer", "adamw"}, "--optimizer"},
		{[]string{"train", "--model", "vae", "--epochs", "1", "--epochs", "2"}, "given twice"},
		{[]string{"train", "--model", "vae", "--epoch", "1"}, "-epoch"},
		{[]string{"train", "--model", "vae", "--hidden", "400,x"}, "--hidden"},
		{[]string{"train", "--model", "gan", "--arch", "conv", "--upsample", "bicubic"}, "--upsample: unknown up-sampling \"bicubic\""},
		{[]string{"train", "--model", "gan", "--upsample", "transposed"}, "--upsample = transposed: only a conv model up-samples"},
		{[]string{"soak", "--upsample", "bicubic"}, "--upsample: unknown up-sampling"},
		{[]string{"soak", "--arch", "mlp", "--upsample", "transposed"}, "--upsample transposed: only conv models up-sample"},
		{[]string{"train", "--model", "vae", "stray"}, "stray"},
		{[]string{"eval"}, "--checkpoint is required"},
		{[]string{"train", "--model", "vae", "--validation", "-1"}, "--validation -1: must be 0 (no validation) or more"},
		{[]string{"train", "--model", "vae", "--resume", "x.safetensors", "--force"}, "--resume and --force: give one"},
		{[]string{"train", "--resume", "/nonexistent/vae.safetensors"}, "--resume: checkpoint: load /nonexistent/vae.safetensors"},
		{[]string{"frobnicate"}, "unknown command"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, stderr := run(c.args...)
			if code == 0 || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q: want non-zero and %q", code, stderr, c.want)
			}
			if strings.Contains(stderr, "goroutine ") {
				t.Fatalf("panic trace on stderr: %s", stderr)
			}
		})
	}
}

// Each command's -h lists its flags with their types and defaults, and
// no panic from printing them.
func TestRun_HelpListsFlagsWithDefaults(t *testing.T) {
	for _, c := range []struct{ cmd, want string }{
		{"train", "-epochs int"},
		{"soak", "(default 10s)"},
		{"eval", "-checkpoint string"},
	} {
		_, _, stderr := run(c.cmd, "-h")
		if !strings.Contains(stderr, c.want) || strings.Contains(stderr, "panic") {
			t.Errorf("latentlab %s -h: want %q and no panic, got:\n%s", c.cmd, c.want, stderr)
		}
	}
}

func TestRun_TrainWritesOutputsAndEvalReadsThem(t *testing.T) {
	data, out := t.TempDir(), t.TempDir()
	writeIDX(t, data, 60)
	for _, kind := range []string{"ae", "vae", "gan"} {
		t.Run(kind, func(t *testing.T) {
			code, stdout, stderr := run("train", "--model", kind, "--data", data, "--out", out, "--epochs", "2",
				"--hidden", "8", "--batch-size", "16", "--validation", "10", "--quiet")
			if kind == "gan" && code != 0 {
				t.Logf("gan with one hidden layer: %s", stderr)
			}
			if code != 0 {
				t.Fatalf("train exit %d: %s", code, stderr)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(stdout), &m); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
			}
			files := []string{kind + ".safetensors", kind + "-metrics.json", kind + "-manifold.png", kind + "-samples.png"}
			if kind != "gan" {
				files = append(files, kind+"-samples-mixture.png")
			}
			for _, f := range files {
				if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
					t.Errorf("%s missing or empty: %v", f, err)
				}
			}
			if _, err := os.Stat(filepath.Join(out, "gan-samples-mixture.png")); err == nil {
				t.Error("a GAN has no codes to fit a mixture to, yet gan-samples-mixture.png was written")
			}
			want := []string{"model", "latent_dim", "epochs", "steps", "train_seconds", "samples_per_second"}
			if kind == "gan" {
				want = append(want, "d_loss", "g_loss")
			} else {
				want = append(want, "test_loss")
			}
			if kind == "vae" {
				want = append(want, "test_recon", "test_kl")
			}
			for _, k := range want {
				if _, ok := m[k]; !ok {
					t.Errorf("metrics lack %q: %v", k, m)
				}
			}
			if m["steps"].(float64) != 2*4 { // 50 training images in batches of 16: 4 a epoch, the last partial
				t.Errorf("steps = %v, want 8", m["steps"])
			}
			code, evalOut, stderr := run("eval", "--checkpoint", filepath.Join(out, kind+".safetensors"), "--data", data)
			if code != 0 {
				t.Fatalf("eval exit %d: %s", code, stderr)
			}
			var e map[string]any
			if err := json.Unmarshal([]byte(evalOut), &e); err != nil {
				t.Fatal(err)
			}
			for _, k := range want {
				if e[k] != m[k] {
					t.Errorf("eval %s = %v, train said %v", k, e[k], m[k])
				}
			}
		})
	}
}

func TestRun_EvalRejectsBadCheckpoint(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(bad, []byte("not a checkpoint"), 0o644)
	code, _, stderr := run("eval", "--checkpoint", bad)
	if code == 0 || !strings.Contains(stderr, bad) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run("eval", "--checkpoint", filepath.Join(dir, "missing.safetensors"))
	if code == 0 || !strings.Contains(stderr, "missing.safetensors") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestRun_MissingDataDirIsClear(t *testing.T) {
	code, _, stderr := run("train", "--model", "ae", "--data", "/nonexistent/dir", "--out", t.TempDir())
	if code == 0 || !strings.Contains(stderr, "/nonexistent/dir") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestRun_EvalReportsSampleQuality(t *testing.T) {
	data, err := app.LoadData("", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := model.DefaultConfig(model.KindVAE)
	cfg.Hidden, cfg.Epochs = []int{32}, 1
	tr, err := train.NewTrainer(cfg, data.Train.Head(2000), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vae.safetensors")
	if err := checkpoint.Save(tr, data.Source, path); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run("eval", "--checkpoint", path, "--samples", "500", "--iw-samples", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out struct {
		TestLoss float64 `json:"test_loss"`
		Quality  struct {
			Samples   measure.SampleQuality `json:"samples"`
			Reference measure.SampleQuality `json:"reference_real"`
			KL        measure.LatentKL      `json:"kl"`
			IWNLL     float64               `json:"iw_nll"`
		} `json:"quality"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	q := out.Quality
	// Real digits sit close to the test digits and cover every class;
	// a one-epoch VAE's samples sit further away.
	if q.Reference.Covered != 10 || q.Reference.Frechet >= q.Samples.Frechet || q.Samples.Images != 500 {
		t.Fatalf("reference %+v, samples %+v", q.Reference, q.Samples)
	}
	if len(q.KL.PerDim) != 2 || q.IWNLL <= 0 || q.IWNLL >= out.TestLoss+1 {
		t.Fatalf("KL %+v, importance-weighted NLL %v (negative ELBO %v)", q.KL, q.IWNLL, out.TestLoss)
	}
}

func TestRun_SoakReportsMemoryAndGoroutines(t *testing.T) {
	// Dense models, for 12 s: under the race detector on a busy machine the
	// models' first steps took more than the 3 s this soak once lasted
	// (TestRun_SoakSavesConvModels has conv).
	code, stdout, stderr := run("soak", "--minutes", "0.2", "--every", "2s", "--arch", "mlp")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep soakReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Samples) < 3 || rep.Decodes == 0 || rep.PeakHeapMB <= 0 || rep.GoroutinesMinMax[1] > 100 {
		t.Fatalf("soak report %+v", rep)
	}
	last := rep.Samples[len(rep.Samples)-1]
	for i, s := range last.Steps {
		if s == 0 {
			t.Errorf("model %d never trained", i)
		}
	}
	if code, _, stderr := run("soak", "--minutes", "0"); code != 2 || !strings.Contains(stderr, "--minutes") {
		t.Fatalf("--minutes 0: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run("soak", "--arch", "transformer"); code != 2 || !strings.Contains(stderr, "--arch") {
		t.Fatalf("--arch transformer: exit %d, %q", code, stderr)
	}
}

// soak --arch conv --save DIR trains the three convolutional models as the
// app would and leaves their checkpoints in DIR for eval.
func TestRun_SoakSavesConvModels(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "three")
	if code, _, stderr := run("soak", "--minutes", "0.1", "--arch", "conv", "--save", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, k := range app.Kinds {
		ck, err := checkpoint.Load(filepath.Join(dir, string(k)+".safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		if !ck.Config.Conv() || ck.Step() == 0 {
			t.Errorf("%s: conv %t after %d steps", k, ck.Config.Conv(), ck.Step())
		}
	}
}

// Every kind of bad data file ends `latentlab train --data` with a non-zero
// exit and a message naming the file and what is wrong.
func TestRun_BadDataFilesAreRefusedClearly(t *testing.T) {
	cases := []struct {
		name   string
		file   string // which file to spoil
		spoil  func(good []byte) []byte
		expect string
	}{
		{"empty file", "train-images-idx3-ubyte", func([]byte) []byte { return nil }, "train-images-idx3-ubyte"},
		{"wrong magic", "train-labels-idx1-ubyte", func(b []byte) []byte { c := slices.Clone(b); c[3] = 0x99; return c }, "magic"},
		{"truncated", "t10k-images-idx3-ubyte", func(b []byte) []byte { return b[:len(b)/2] }, "t10k-images-idx3-ubyte"},
		{"label out of range", "t10k-labels-idx1-ubyte", func(b []byte) []byte { c := slices.Clone(b); c[len(c)-1] = 42; return c }, "42"},
		{"counts disagree", "train-labels-idx1-ubyte", func(b []byte) []byte { c := slices.Clone(b[:len(b)-1]); c[7]--; return c }, "train"},
		{"claims 2 GB, has 10 bytes", "train-images-idx3-ubyte", func(b []byte) []byte {
			return append([]byte{0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 28, 0, 0, 0, 28}, make([]byte, 10)...)
		}, "train-images-idx3-ubyte"},
		{"gzip that is not gzip", "train-images-idx3-ubyte.gz", func(b []byte) []byte { return append([]byte{0x1f, 0x8b}, b[2:40]...) }, "gzip"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeIDX(t, dir, 60)
			path := filepath.Join(dir, strings.TrimSuffix(c.file, ".gz"))
			good, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(c.file, ".gz") {
				os.Remove(path)
				path += ".gz"
			}
			if err := os.WriteFile(path, c.spoil(good), 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := run("train", "--model", "ae", "--data", dir, "--out", t.TempDir(), "--quiet")
			if code == 0 || !strings.Contains(stderr, c.expect) || strings.Contains(stderr, "goroutine ") {
				t.Fatalf("exit %d, stderr %q: want non-zero and %q", code, stderr, c.expect)
			}
			t.Logf("exit %d: %s", code, strings.TrimSpace(stderr))
		})
	}
}

// A bad --out or --validation is found before any folder is made or any
// image is read.
func TestRun_TrainChecksOutBeforeWork(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(file, "runs")
	code, _, stderr := run("train", "--model", "ae", "--out", out, "--data", "/nonexistent/dir")
	if code == 0 || !strings.Contains(stderr, "--out "+file) || strings.Contains(stderr, "nonexistent") {
		t.Fatalf("exit %d, stderr %q: want the --out problem before the data is read", code, stderr)
	}
	fresh := filepath.Join(t.TempDir(), "not-made")
	code, _, stderr = run("train", "--model", "ae", "--out", fresh, "--validation", "-1")
	if _, err := os.Stat(fresh); code == 0 || err == nil {
		t.Fatalf("exit %d (%s): --validation -1 made %s", code, stderr, fresh)
	}
}

// Eval on a one-image test set reports the losses it can and says why
// there is no sample quality; on other data, the digit classifier's
// figures are unavailable, not computed.
func TestRun_EvalReportsWhatItCan(t *testing.T) {
	data, out := t.TempDir(), t.TempDir()
	writeIDX(t, data, 60)
	if code, _, stderr := run("train", "--model", "vae", "--data", data, "--out", out, "--epochs", "1",
		"--hidden", "8", "--batch-size", "16", "--validation", "10", "--quiet"); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	ck := filepath.Join(out, "vae.safetensors")
	code, stdout, stderr := run("eval", "--checkpoint", ck, "--data", data, "--iw-samples", "2")
	if code != 0 || !strings.Contains(stdout, `"quality_unavailable": "the shipped classifier knows MNIST digits, not `+data) {
		t.Fatalf("eval on other data: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = run("eval", "--checkpoint", ck)
	if code == 0 || !strings.Contains(stderr, "was trained on "+data) || !strings.Contains(stderr, "--data") {
		t.Fatalf("eval on MNIST of a model trained on other data: exit %d, stderr %q", code, stderr)
	}

	// Trained on data with one test image, eval reports the test loss it
	// can and says why there is no sample quality.
	one, out1 := t.TempDir(), t.TempDir()
	m, err := dataset.LoadDir(data)
	if err != nil {
		t.Fatal(err)
	}
	m.Test = m.Test.Head(1)
	if err := dataset.WriteDir(one, m); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run("train", "--model", "vae", "--data", one, "--out", out1, "--epochs", "1",
		"--hidden", "8", "--batch-size", "16", "--validation", "10", "--quiet"); code != 0 {
		t.Fatalf("train on one test image: %s", stderr)
	}
	code, stdout, stderr = run("eval", "--checkpoint", filepath.Join(out1, "vae.safetensors"), "--data", one, "--iw-samples", "2")
	if code != 0 || !strings.Contains(stdout, `"test_images": 1`) || !strings.Contains(stdout, `"test_loss"`) || !strings.Contains(stdout, "quality_unavailable") {
		t.Fatalf("eval on one test image: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, stderr := run("eval", "--checkpoint", filepath.Join(out1, "vae.safetensors"), "--data", data); code == 0 || !strings.Contains(stderr, "was trained on "+one) {
		t.Fatalf("eval on other data: exit %d, stderr %q", code, stderr)
	}
}

// A generator alone imports, and eval measures what it can: samples, no
// test loss (that needs the discriminator), and says so.
func TestRun_ImportAndEvalGeneratorAlone(t *testing.T) {
	data, out := t.TempDir(), t.TempDir()
	writeIDX(t, data, 60)
	if code, _, stderr := run("train", "--model", "gan", "--data", data, "--out", out, "--epochs", "1",
		"--hidden", "8,8", "--batch-size", "16", "--validation", "10", "--quiet"); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	torchPath := filepath.Join(out, "gan-torch.safetensors")
	if code, _, stderr := run("export", "--torch", "--checkpoint", filepath.Join(out, "gan.safetensors"), "--out", torchPath); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	f, err := safetensors.ReadFile(torchPath)
	if err != nil {
		t.Fatal(err)
	}
	f.Tensors = slices.DeleteFunc(f.Tensors, func(t safetensors.Tensor) bool { return strings.HasPrefix(t.Name, "discriminator.") })
	alone := filepath.Join(out, "generator.safetensors")
	if err := safefile.WriteFile(alone, func(w io.Writer) error { return safetensors.Write(w, f) }); err != nil {
		t.Fatal(err)
	}
	ck := filepath.Join(out, "gen-ll.safetensors")
	if code, _, stderr := run("import", "--weights", alone, "--out", ck); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	code, stdout, stderr := run("eval", "--checkpoint", ck, "--data", data)
	if code != 0 || !strings.Contains(stdout, "decoder alone: no test loss") || strings.Contains(stdout, `"d_loss"`) {
		t.Fatalf("eval of a generator alone: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, stderr := run("train", "--resume", ck, "--data", data); code == 0 || !strings.Contains(stderr, "weights only") {
		t.Fatalf("resume of a generator alone: exit %d, %q", code, stderr)
	}
}

// export --half writes a model as the pretrained ones ship: a GAN as its
// generator alone, an AE whole, weights in half precision at about half
// the size, decoding within a grey level of the original; a second export
// over it needs --force, and eval reads the result.
func TestRun_ExportHalf(t *testing.T) {
	data, out := t.TempDir(), t.TempDir()
	writeIDX(t, data, 60)
	for _, kind := range []string{"gan", "ae"} {
		if code, _, stderr := run("train", "--model", kind, "--data", data, "--out", out, "--epochs", "1",
			"--hidden", "16,16", "--batch-size", "16", "--validation", "10", "--quiet"); code != 0 {
			t.Fatalf("train %s: %s", kind, stderr)
		}
		full := filepath.Join(out, kind+".safetensors")
		half := filepath.Join(out, kind+"-half.safetensors")
		if code, _, stderr := run("export", "--half", "--checkpoint", full, "--out", half); code != 0 {
			t.Fatalf("export --half %s: %s", kind, stderr)
		}
		if code, _, stderr := run("export", "--half", "--checkpoint", full, "--out", half); code == 0 || !strings.Contains(stderr, "--force") {
			t.Fatalf("export --half over an existing file: exit %d, %q", code, stderr)
		}
		a, err := checkpoint.Load(full)
		if err != nil {
			t.Fatal(err)
		}
		b, err := checkpoint.Load(half)
		if err != nil {
			t.Fatal(err)
		}
		if alone := b.Config.Parts == model.PartsDecoder; alone != (kind == "gan") || !b.WeightsOnly() || b.Step() != a.Step() || b.Epoch() != a.Epoch() {
			t.Fatalf("%s: parts %q, weights only %t, step %d of %d, epoch %d of %d", kind, b.Config.Parts, b.WeightsOnly(), b.Step(), a.Step(), b.Epoch(), a.Epoch())
		}
		z := make([]float64, a.Config.LatentDim)
		z[0] = 0.7
		x, _ := a.Snapshot().Decode(z)
		y, _ := b.Snapshot().Decode(z)
		for i := range x {
			if d := math.Abs(x[i] - y[i]); d > 1.0/255 {
				t.Fatalf("%s: pixel %d decodes %v, the original %v", kind, i, y[i], x[i])
			}
		}
		var params int
		for _, w := range b.Weights() {
			params += len(w)
		}
		if st, _ := os.Stat(half); st.Size() > int64(2*params+16384) {
			t.Errorf("%s: %d bytes for %d weights in half precision", kind, st.Size(), params)
		}
		if code, stdout, stderr := run("eval", "--checkpoint", half, "--data", data, "--samples", "0", "--iw-samples", "0"); code != 0 || !strings.Contains(stdout, `"model"`) {
			t.Fatalf("eval of the half export: exit %d\n%s\n%s", code, stdout, stderr)
		}
	}
}

// encode on a test digit saved as PNG gives the code the model gives the
// data set's own digit (the pretrained VAE), the classifier's label for
// both, and the two PNGs; a GAN's generator inverted on one of its own
// samples finds a point much nearer than a random one; what is not an
// image is an error naming the file.
func TestRun_EncodeFindsDigits(t *testing.T) {
	out := t.TempDir()
	m, err := dataset.Load(assets.MNIST())
	if err != nil {
		t.Fatal(err)
	}
	test := m.Test
	x := make([]float32, test.Dim())
	test.ImageValues(x, 0)
	img := image.NewGray(image.Rect(0, 0, 28, 28))
	copy(img.Pix, test.Image(0)) // the data's bytes, as a PNG holds them
	digitPath := filepath.Join(out, "seven.png")
	if err := render.WritePNG(digitPath, img); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run("encode", "--checkpoint", "pretrained:vae-mlp", "--image", digitPath, "--out", out)
	if code != 0 {
		t.Fatalf("encode: exit %d: %s", code, stderr)
	}
	var rep encodeReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	ck, _ := app.LoadCheckpoint("pretrained:vae-mlp")
	row := make([]float64, len(x))
	for i, v := range x {
		row[i] = float64(v)
	}
	want, _, _ := ck.Snapshot().EncodeBatch(mat.NewDense(1, len(row), row))
	for i, c := range rep.Code {
		if math.Abs(c-want.At(0, i)) > 1e-6 {
			t.Fatalf("code[%d] through the PNG %v, EncodeBatch on the data's digit %v", i, c, want.At(0, i))
		}
	}
	if rep.Input == nil || rep.Input.Label != int(test.Labels[0]) || rep.Answer == nil || rep.NegativeELBO == nil || len(rep.Wrote) != 2 {
		t.Fatalf("report %+v (the digit is a %d)", rep, test.Labels[0])
	}
	for _, p := range rep.Wrote {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", p, err)
		}
	}

	gan, _ := app.LoadCheckpoint("pretrained:gan-mlp")
	sample, _ := gan.Snapshot().Decode(infer.SamplePrior(1, gan.Config.LatentDim, 11).RawRowView(0))
	for i, v := range sample {
		img.Pix[i] = uint8(math.Round(v * 255))
	}
	samplePath := filepath.Join(out, "sample.png")
	render.WritePNG(samplePath, img)
	code, stdout, stderr = run("encode", "--checkpoint", "pretrained:gan-mlp", "--image", samplePath, "--out", out)
	rep = encodeReport{}
	if code != 0 || json.Unmarshal([]byte(stdout), &rep) != nil || rep.Distance == nil {
		t.Fatalf("encode with the GAN: exit %d\n%s\n%s", code, stdout, stderr)
	}
	t.Logf("the GAN's own sample: inverted to %.3f, a random z is %.3f away", *rep.Distance, *rep.RandomDistance)
	if *rep.Distance > *rep.RandomDistance/3 {
		t.Fatalf("inverted %.3f from its own sample, a random z %.3f", *rep.Distance, *rep.RandomDistance)
	}

	notes := filepath.Join(out, "notes.png")
	os.WriteFile(notes, []byte("not pixels"), 0o644)
	if code, _, stderr := run("encode", "--checkpoint", "pretrained:vae-mlp", "--image", notes); code == 0 || !strings.Contains(stderr, notes) {
		t.Fatalf("not an image: exit %d, %q", code, stderr)
	}
}

// eval measures an AE's and a VAE's samples twice: decodes of N(0, I) and
// of draws from a mixture fitted to their training codes. An AE's codes
// were never shaped like N(0, I), so the mixture's decodes are far closer
// to real digits (the shipped MLP AE, 1,000 samples: Fréchet distance 160
// against 76); a GAN has no codes and gets neither the mixture nor the
// densities.
func TestEval_SamplesFromTheCodeMixture(t *testing.T) {
	type report struct {
		Quality struct {
			Samples struct {
				FD float64 `json:"frechet_distance"`
			} `json:"samples"`
			Mixture *struct {
				FD      float64 `json:"frechet_distance"`
				Covered int     `json:"classes_covered"`
			} `json:"samples_mixture"`
			Codes *struct {
				Components int       `json:"components"`
				Shares     []float64 `json:"component_shares"`
				Prior      float64   `json:"test_log_density_prior"`
				Mixture    float64   `json:"test_log_density_mixture"`
			} `json:"code_density"`
		} `json:"quality"`
	}
	for _, name := range []string{"ae-mlp", "gan-mlp"} {
		code, stdout, stderr := run("eval", "--checkpoint", "pretrained:"+name, "--samples", "1000", "--iw-samples", "0")
		if code != 0 {
			t.Fatalf("eval %s: exit %d: %s", name, code, stderr)
		}
		var r report
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("eval %s: %v\n%s", name, err, stdout)
		}
		q := r.Quality
		if name == "gan-mlp" {
			if q.Mixture != nil || q.Codes != nil {
				t.Errorf("the GAN has no codes, yet eval reports a mixture: %s", stdout)
			}
			continue
		}
		if q.Mixture == nil || q.Codes == nil {
			t.Fatalf("no mixture samples for the AE: %s", stdout)
		}
		if q.Mixture.FD > 0.7*q.Samples.FD || q.Mixture.Covered < 9 {
			t.Errorf("AE: mixture samples' Fréchet distance %.1f (%d classes), prior decodes' %.1f", q.Mixture.FD, q.Mixture.Covered, q.Samples.FD)
		}
		sum := 0.0
		for _, s := range q.Codes.Shares {
			sum += s
		}
		if q.Codes.Components != 10 || len(q.Codes.Shares) != 10 || math.Abs(sum-1) > 1e-9 {
			t.Errorf("code mixture: %d components, shares %v", q.Codes.Components, q.Codes.Shares)
		}
		if q.Codes.Mixture < q.Codes.Prior+1 {
			t.Errorf("test codes' log-density: %.2f under the mixture, %.2f under N(0, I); the AE's codes should fit the mixture far better", q.Codes.Mixture, q.Codes.Prior)
		}
	}
}
