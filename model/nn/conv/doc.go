// Package conv holds the convolutional layer kinds, one file each with
// every view of it (see package nn): Conv2D, Upsample (nearest, 2x) and
// BatchNorm. Images are stored one per row as [channels, height, width],
// PyTorch's NCHW.
package conv
