// Package app is latentlab without a screen: a Lab holds one Session per
// model (AE, VAE, GAN); a Session owns its trainer, the goroutine that
// trains it, its settings, its loss history and its checkpoints. The ui
// package draws what a Lab publishes and calls it back; nothing here knows
// of Fyne.
//
// A Lab signals changes on one coalescing channel (Updates); readers then
// pull state (Status, History, Snapshot) from any goroutine.
package app
