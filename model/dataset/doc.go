// Package dataset reads labelled image sets stored in the IDX format used by
// MNIST and provides the Set type that the trainers consume.
//
// ReadImages and ReadLabels parse a single IDX stream, raw or gzip-compressed
// (detected from the gzip magic bytes, not the file name). They validate the
// stream strictly: wrong magic numbers, zero or oversized image dimensions,
// out-of-range labels, streams that end early and trailing data are all
// reported as errors naming the file and the offending value. Memory use is
// bounded by the data actually present in the stream, never by the counts
// claimed in its header.
//
// Load and LoadDir read the standard four-file MNIST train/test pair from a
// file system, for example the embedded copy in latentlab/assets.
package dataset
