package app

import (
	"fmt"

	"latentlab/assets"
	"latentlab/model/dataset"
)

// ValidationImages is how many training images are held out for validation.
const ValidationImages = 5000

// Data is the image sets a Lab trains and measures on: the training images
// less a seeded validation split, the validation split, and the untouched
// test set.
type Data struct {
	Train, Val, Test *dataset.Set
	// Source names the data, its content hash and the validation split:
	// what checkpoints record and what a loaded model must match.
	Source dataset.Source
}

// The MNIST built into latentlab: its Source name and content hash
// (dataset.Digest; TestLoadData_EmbeddedSource checks it).
const (
	EmbeddedName   = "MNIST (embedded)"
	EmbeddedSHA256 = "4ebd69a2213183ccfdf7d24d76df3119c5e530e1a802c52c72d0270f52365a76"
)

// IsEmbedded reports whether src holds the images of the embedded MNIST,
// wherever they were read from.
func IsEmbedded(src dataset.Source) bool { return src.SHA256 == EmbeddedSHA256 }

// LoadData reads the embedded MNIST, or the IDX files in dir if it is not
// empty, and holds out holdout training images (chosen by seed) for
// validation; holdout 0 means no validation set.
func LoadData(dir string, holdout int, seed uint64) (*Data, error) {
	var m *dataset.MNIST
	var err error
	if dir == "" {
		if m, err = dataset.Load(assets.MNIST()); err != nil {
			return nil, fmt.Errorf("embedded MNIST: %w", err)
		}
		m.Source.Name = EmbeddedName
	} else if m, err = dataset.LoadDir(dir); err != nil {
		return nil, err // it names the directory and the file
	}
	return SplitData(m, holdout, seed)
}

// SplitData holds out holdout of m's training images for validation.
func SplitData(m *dataset.MNIST, holdout int, seed uint64) (*Data, error) {
	if m.Train.Len() == 0 {
		return nil, fmt.Errorf("%s has no training images", m.Source.Name)
	}
	if m.Test.Len() == 0 {
		return nil, fmt.Errorf("%s has no test images", m.Source.Name)
	}
	src := m.Source
	src.Validation = holdout
	if holdout == 0 {
		return &Data{Train: m.Train, Test: m.Test, Source: src}, nil
	}
	if holdout < 0 || holdout >= m.Train.Len() {
		return nil, fmt.Errorf("%d validation images: %s has %d training images, so hold out between 0 and %d (0: no validation)",
			holdout, m.Source.Name, m.Train.Len(), m.Train.Len()-1)
	}
	train, val, err := m.Train.Split(holdout, seed)
	if err != nil {
		return nil, fmt.Errorf("validation split: %w", err)
	}
	return &Data{Train: train, Val: val, Test: m.Test, Source: src}, nil
}
