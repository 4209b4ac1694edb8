// Package nn holds latentlab's layer kinds, one file each with every view
// of it: its parameters (names, shapes, initialisation, weight-decay flag,
// PyTorch layout), its gorgonia op and gradient, its float32 pass for
// snapshots and, where it has one, its half-precision pass. Dense (dense.go)
// is here; the convolutional family is in package conv. Stack runs layers
// in turn; ActGrad is the gradient through an activation; ParamSet
// holds a model's parameters; GradSink hands a step's gradients to the
// optimizer. The ops are built with package op; the fused loss ops live in
// package fused.
//
// Nothing here knows a model family: package model assembles layers into
// architectures.
package nn
