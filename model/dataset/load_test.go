package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"latentlab/assets"
)

// fileSpec describes the contents of one file in a synthetic MNIST tree.
type fileSpec struct {
	name string
	data []byte
}

// mnistFS builds a MapFS from files.
func mnistFS(files ...fileSpec) fstest.MapFS {
	m := fstest.MapFS{}
	for _, f := range files {
		m[f.name] = &fstest.MapFile{Data: f.data, Mode: 0o644}
	}
	return m
}

// goodFiles returns a consistent small MNIST tree: 4 training and 2 test
// images of 3x2 pixels, all plain unless gzipped is set.
func goodFiles(gzipped bool) []fileSpec {
	files := []fileSpec{
		{trainImagesFile, imagesIDX(4, 3, 2, seq(24, 0))},
		{trainLabelsFile, labelsIDX(4, []byte{0, 1, 2, 3})},
		{testImagesFile, imagesIDX(2, 3, 2, seq(12, 100))},
		{testLabelsFile, labelsIDX(2, []byte{9, 8})},
	}
	if gzipped {
		for i := range files {
			files[i] = fileSpec{files[i].name + ".gz", gz(files[i].data)}
		}
	}
	return files
}

// replace returns files with the file named old replaced by f.
func replace(files []fileSpec, old string, f fileSpec) []fileSpec {
	out := make([]fileSpec, 0, len(files))
	for _, g := range files {
		if g.name == old {
			if f.name != "" {
				out = append(out, f)
			}
			continue
		}
		out = append(out, g)
	}
	return out
}

func TestLoad_Good(t *testing.T) {
	plain, zipped := goodFiles(false), goodFiles(true)
	tests := []struct {
		name  string
		files []fileSpec
	}{
		{"plain", plain},
		{"gzip", zipped},
		{"mixed", replace(plain, trainImagesFile, zipped[0])},
		{"both present prefers plain", append(replace(zipped, testLabelsFile+".gz", plain[3]),
			fileSpec{testLabelsFile + ".gz", []byte("not even gzip")})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Load(mnistFS(tc.files...))
			if err != nil {
				t.Fatal(err)
			}
			if m.Train.Len() != 4 || m.Test.Len() != 2 {
				t.Fatalf("sizes %d/%d, want 4/2", m.Train.Len(), m.Test.Len())
			}
			if m.Train.Rows != 3 || m.Train.Cols != 2 || m.Test.Rows != 3 || m.Test.Cols != 2 {
				t.Errorf("image sizes %dx%d / %dx%d, want 3x2", m.Train.Rows, m.Train.Cols, m.Test.Rows, m.Test.Cols)
			}
			if got := m.Test.Image(1)[0]; got != 106 {
				t.Errorf("test image 1 pixel 0 = %v, want 106", got)
			}
			v := make([]float32, m.Test.Dim())
			if m.Test.ImageValues(v, 1); v[0] != float32(106)/255 {
				t.Errorf("test image 1 pixel 0's value = %v, want 106/255", v[0])
			}
			if m.Test.Labels[0] != 9 || m.Train.Labels[3] != 3 {
				t.Errorf("labels %v / %v", m.Train.Labels, m.Test.Labels)
			}
		})
	}
}

func TestLoad_Errors(t *testing.T) {
	good := goodFiles(false)
	tests := []struct {
		name    string
		files   []fileSpec
		wantErr []string
	}{
		{"missing train images", replace(good, trainImagesFile, fileSpec{}),
			[]string{"missing MNIST file train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"}},
		{"missing test labels", replace(good, testLabelsFile, fileSpec{}),
			[]string{"missing MNIST file t10k-labels-idx1-ubyte"}},
		{"empty train labels", replace(good, trainLabelsFile, fileSpec{trainLabelsFile, nil}),
			[]string{"train-labels-idx1-ubyte: empty file"}},
		{"corrupt gzip", replace(good, testImagesFile, fileSpec{testImagesFile + ".gz", gz(good[2].data)[:20]}),
			[]string{"t10k-images-idx3-ubyte.gz: corrupt or truncated gzip data"}},
		{"train count mismatch", replace(good, trainLabelsFile, fileSpec{trainLabelsFile, labelsIDX(3, []byte{1, 2, 3})}),
			[]string{"train set: 4 images in train-images-idx3-ubyte but 3 labels in train-labels-idx1-ubyte"}},
		{"test count mismatch gzip", replace(good, testLabelsFile, fileSpec{testLabelsFile + ".gz", gz(labelsIDX(3, []byte{1, 2, 3}))}),
			[]string{"test set: 2 images", "3 labels in t10k-labels-idx1-ubyte.gz"}},
		{"size mismatch", replace(good, testImagesFile, fileSpec{testImagesFile, imagesIDX(2, 2, 3, seq(12, 0))}),
			[]string{"image size mismatch", "train images (train-images-idx3-ubyte) are 3x2", "test images (t10k-images-idx3-ubyte) are 2x3"}},
		{"label out of range", replace(good, testLabelsFile, fileSpec{testLabelsFile, labelsIDX(2, []byte{1, 12})}),
			[]string{"t10k-labels-idx1-ubyte: label 12 at index 1"}},
		{"swapped files", replace(good, trainImagesFile, fileSpec{trainImagesFile, good[1].data}),
			[]string{"train-images-idx3-ubyte: bad magic number 0x00000801, expected 0x00000803"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Load(mnistFS(tc.files...))
			if err == nil {
				t.Fatal("got nil error")
			}
			if m != nil {
				t.Errorf("got a result with an error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestLoadDir_Cases(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := os.Mkdir(good, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range goodFiles(true) {
		if err := os.WriteFile(filepath.Join(good, f.name), f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		wantErr string
	}{
		{"good", good, ""},
		{"missing", filepath.Join(dir, "nope"), "no such file or directory"},
		{"not a directory", file, "not a directory"},
		{"empty directory", dir, "missing MNIST file train-images-idx3-ubyte"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := LoadDir(tc.dir)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if m.Train.Len() != 4 || m.Test.Len() != 2 {
					t.Errorf("sizes %d/%d, want 4/2", m.Train.Len(), m.Test.Len())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.dir) {
				t.Errorf("error %v, want one naming %s and containing %q", err, tc.dir, tc.wantErr)
			}
		})
	}
}

func TestLoad_EmbeddedMNIST(t *testing.T) {
	m, err := Load(assets.MNIST())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		set      *Set
		n        int
		wantMean float64
	}{
		{"train", m.Train, 60000, 0.1307},
		{"test", m.Test, 10000, 0.1325},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.set
			if s.Len() != tc.n || s.Rows != 28 || s.Cols != 28 || len(s.Pixels) != tc.n*784 {
				t.Fatalf("got %d images of %dx%d (%d pixels), want %d of 28x28", s.Len(), s.Rows, s.Cols, len(s.Pixels), tc.n)
			}
			var counts [10]int
			for i, l := range s.Labels {
				if l > 9 {
					t.Fatalf("label %d = %d", i, l)
				}
				counts[l]++
			}
			for d, c := range counts {
				if c == 0 {
					t.Errorf("digit %d never appears", d)
				}
			}
			var sum float64
			for _, p := range s.Pixels {
				sum += float64(PixelValue(p))
			}
			mean := sum / float64(len(s.Pixels))
			if mean < tc.wantMean-0.002 || mean > tc.wantMean+0.002 {
				t.Errorf("mean pixel %.4f, want about %.4f", mean, tc.wantMean)
			}
			t.Logf("%s: %d images, label counts %v, mean pixel %.4f", tc.name, s.Len(), counts, mean)
		})
	}
}

func BenchmarkLoad_Embedded(b *testing.B) {
	fsys := assets.MNIST()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(fsys); err != nil {
			b.Fatal(err)
		}
	}
}
