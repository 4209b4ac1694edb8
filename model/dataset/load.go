package dataset

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// MNIST file base names; each may also be stored with a .gz suffix.
const (
	trainImagesFile = "train-images-idx3-ubyte"
	trainLabelsFile = "train-labels-idx1-ubyte"
	testImagesFile  = "t10k-images-idx3-ubyte"
	testLabelsFile  = "t10k-labels-idx1-ubyte"
)

// MNIST is the standard train/test pair.
type MNIST struct {
	// Train is the training set (60000 images in the original MNIST).
	Train *Set
	// Test is the test set (10000 images in the original MNIST).
	Test *Set
	// Source names the data and holds its content hash (Validation 0).
	Source Source
}

// Load reads train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte from fsys, each either
// plain or with a .gz suffix; if both exist the plain file is used. It
// reports an error naming any missing file, any malformed file, a mismatch
// between image and label counts, and train and test images of different
// sizes. The four files are parsed concurrently.
func Load(fsys fs.FS) (*MNIST, error) {
	var (
		wg                sync.WaitGroup
		train, test       imageResult
		trainLab, testLab labelResult
	)
	wg.Go(func() { train = readImagesFile(fsys, trainImagesFile) })
	wg.Go(func() { trainLab = readLabelsFile(fsys, trainLabelsFile) })
	wg.Go(func() { test = readImagesFile(fsys, testImagesFile) })
	wg.Go(func() { testLab = readLabelsFile(fsys, testLabelsFile) })
	wg.Wait()
	if err := errors.Join(train.err, trainLab.err, test.err, testLab.err); err != nil {
		return nil, err
	}
	trainSet, err := makeSet("train", train, trainLab)
	if err != nil {
		return nil, err
	}
	testSet, err := makeSet("test", test, testLab)
	if err != nil {
		return nil, err
	}
	if trainSet.Rows != testSet.Rows || trainSet.Cols != testSet.Cols {
		return nil, fmt.Errorf("dataset: image size mismatch: train images (%s) are %dx%d but test images (%s) are %dx%d",
			train.name, trainSet.Rows, trainSet.Cols, test.name, testSet.Rows, testSet.Cols)
	}
	sum := combine(trainSet, testSet, [4][32]byte{train.sum, trainLab.sum, test.sum, testLab.sum})
	src := Source{Name: "IDX files", SHA256: sum, Rows: trainSet.Rows, Cols: trainSet.Cols}
	return &MNIST{Train: trainSet, Test: testSet, Source: src}, nil
}

// LoadDir is Load(os.DirFS(dir)), with a clear error if dir is missing or is
// not a directory.
func LoadDir(dir string) (*MNIST, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("dataset: MNIST directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("dataset: MNIST directory %s: not a directory", dir)
	}
	m, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("loading MNIST from %s: %w", dir, err)
	}
	m.Source.Name = dir
	if abs, err := filepath.Abs(dir); err == nil {
		m.Source.Name = abs
	}
	return m, nil
}

// imageResult is the outcome of reading one image file.
type imageResult struct {
	name       string
	rows, cols int
	pixels     []uint8
	sum        [32]byte // SHA-256 of the pixel bytes
	err        error
}

// labelResult is the outcome of reading one label file.
type labelResult struct {
	name   string
	labels []uint8
	sum    [32]byte // SHA-256 of the labels
	err    error
}

// makeSet combines images and labels of one split, checking their counts.
func makeSet(split string, img imageResult, lab labelResult) (*Set, error) {
	n := len(img.pixels) / (img.rows * img.cols)
	if n != len(lab.labels) {
		return nil, fmt.Errorf("dataset: %s set: %d images in %s but %d labels in %s",
			split, n, img.name, len(lab.labels), lab.name)
	}
	return &Set{Rows: img.rows, Cols: img.cols, Pixels: img.pixels, Labels: lab.labels}, nil
}

// resolve returns the name under which base exists in fsys, preferring the
// plain file over base+".gz".
func resolve(fsys fs.FS, base string) (string, error) {
	for _, name := range []string{base, base + ".gz"} {
		_, err := fs.Stat(fsys, name)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("dataset: stat %s: %w", name, err)
		}
	}
	return "", fmt.Errorf("dataset: missing MNIST file %s (neither %s nor %s.gz exists)", base, base, base)
}

// openFile resolves and opens base in fsys, returning the chosen name.
func openFile(fsys fs.FS, base string) (fs.File, string, error) {
	name, err := resolve(fsys, base)
	if err != nil {
		return nil, base, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, name, fmt.Errorf("dataset: open MNIST file: %w", err)
	}
	return f, name, nil
}

// readImagesFile reads the image file stored under base (or base.gz).
func readImagesFile(fsys fs.FS, base string) imageResult {
	f, name, err := openFile(fsys, base)
	if err != nil {
		return imageResult{name: name, err: err}
	}
	defer f.Close()
	rows, cols, data, err := readImageBytes(f, name)
	if err != nil {
		return imageResult{name: name, err: err}
	}
	return imageResult{name: name, rows: rows, cols: cols, pixels: data, sum: sha256.Sum256(data)}
}

// readLabelsFile reads the label file stored under base (or base.gz).
func readLabelsFile(fsys fs.FS, base string) labelResult {
	f, name, err := openFile(fsys, base)
	if err != nil {
		return labelResult{name: name, err: err}
	}
	defer f.Close()
	labels, err := ReadLabels(f, name)
	return labelResult{name: name, labels: labels, sum: sha256.Sum256(labels), err: err}
}
