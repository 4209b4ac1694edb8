// Package train trains one model: the Trainer loop that owns its gorgonia
// step graphs in one goroutine, the graphs of each model family's step, the
// optimizers (Adam, RMSProp, SGD with momentum), the filling of batches,
// dropout masks and noise, and the Events a run reports. Other goroutines
// see a training run only through its published infer.Snapshots, its
// Progress and its Events.
package train
