// Package ui is latentlab's desktop interface, and the only package that
// knows Fyne. Widgets (latent pad, digit view, loss charts) own their state;
// views (Explore, Train, Compare) assemble them over an app.Lab. Background
// goroutines never touch a widget: bridge.go is the one file that hands
// their results to the UI goroutine with fyne.Do.
package ui
