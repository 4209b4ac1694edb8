// Package infer holds Snapshot, an immutable copy of a model's weights with
// its own float32 forward passes (Encode, Decode, Preview, Discriminate,
// Classify), and the planes through latent space that pads and manifolds
// show. Any goroutine may read a Snapshot while its trainer goes on.
package infer
