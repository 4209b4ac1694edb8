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
}

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
	} else if m, err = dataset.LoadDir(dir); err != nil {
		return nil, err // it names the directory and the file
	}
	return SplitData(m, holdout, seed)
}

// SplitData holds out holdout of m's training images for validation.
func SplitData(m *dataset.MNIST, holdout int, seed uint64) (*Data, error) {
	if holdout == 0 {
		return &Data{Train: m.Train, Test: m.Test}, nil
	}
	if holdout < 0 || holdout >= m.Train.Len() {
		return nil, fmt.Errorf("validation images = %d: must be between 0 and %d (the training images)", holdout, m.Train.Len()-1)
	}
	train, val, err := m.Train.Split(holdout, seed)
	if err != nil {
		return nil, fmt.Errorf("validation split: %w", err)
	}
	return &Data{Train: train, Val: val, Test: m.Test}, nil
}
