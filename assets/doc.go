// Package assets embeds the data files that latentlab ships with.
//
// It currently holds the MNIST database of handwritten digits, stored as the
// four original gzip-compressed IDX files (training and test images and
// labels). The MNIST database was created by Yann LeCun, Corinna Cortes and
// Christopher J.C. Burges and is available under the terms of the Creative
// Commons Attribution-Share Alike 3.0 license (CC BY-SA 3.0).
//
// Beside them: the digit classifier behind the sample-quality metrics, the
// app's icon, and one pretrained model per kind and architecture
// (pretrained/README.md says how each was made).
//
// The package contains data only; parsing lives in latentlab/model/dataset
// and latentlab/model/checkpoint.
package assets
