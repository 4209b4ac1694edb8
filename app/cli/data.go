package cli

import (
	"fmt"

	"latentlab/assets"
	"latentlab/model/dataset"
)

// validationImages is how many training images are held out for validation.
const validationImages = 5000

// loadData returns the embedded MNIST, or the IDX files in dir if it is set.
func loadData(dir string) (*dataset.MNIST, error) {
	if dir == "" {
		m, err := dataset.Load(assets.MNIST())
		if err != nil {
			return nil, fmt.Errorf("embedded MNIST: %w", err)
		}
		return m, nil
	}
	m, err := dataset.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--data %s: %w", dir, err)
	}
	return m, nil
}

// splitValidation holds out the validation images from the training set
// with a permutation seeded by seed; the test set is left untouched.
func splitValidation(m *dataset.MNIST, holdout int, seed uint64) (train, val *dataset.Set, err error) {
	if holdout == 0 {
		return m.Train, nil, nil
	}
	if holdout < 0 || holdout >= m.Train.Len() {
		return nil, nil, usagef("--validation %d: must be between 0 and %d (the training images)", holdout, m.Train.Len()-1)
	}
	train, val, err = m.Train.Split(holdout, seed)
	if err != nil {
		return nil, nil, fmt.Errorf("validation split: %w", err)
	}
	return train, val, nil
}
