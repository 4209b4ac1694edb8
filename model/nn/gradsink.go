package nn

import (
	"fmt"
	"latentlab/model/nn/op"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gradSinkOp is the last op of a training graph: it reads the cost and
// every parameter's gradient, and hands the gradient tensors to the
// optimizer where they were computed. Reading them all puts it after every
// other computation, and gorgonia keeps the gradients' registers live to
// the end of the program, so nothing writes to them after they are
// computed and the optimizer can update from them after the run
// (TestGradSink_IsTheLastInstructionThatWrites checks the programs).
//
// This replaces gorgonia's dual values, which add every gradient into a
// second tensor per parameter (a pass over all gradients) that must then be
// zeroed (another).
type gradSinkOp struct {
	op.Base
	into *[]*tensor.Dense // the gradients of the latest run, in parameter order
}

// GradSink returns the sink node over cost and grads.
func GradSink(cost *G.Node, grads G.Nodes, into *[]*tensor.Dense) (*G.Node, error) {
	signature := op.Sig(1, 0)
	for _, g := range grads {
		signature.In = append(signature.In, g.Dims())
	}
	op := gradSinkOp{op.NewBase(fmt.Sprintf("GradSink(%d)", len(grads)), signature), into}
	return G.ApplyOp(op, append(G.Nodes{cost}, grads...)...)
}

func (o gradSinkOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.Shape{1}, nil }

// Do hands the gradients over and computes nothing; with no UsePreallocDo,
// it returns a fresh one-element tensor each run.
func (o gradSinkOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != o.Arity() {
		return nil, fmt.Errorf("%s: %d inputs, want %d", o, len(vs), o.Arity())
	}
	grads := (*o.into)[:0]
	for i, v := range vs[1:] {
		d, ok := v.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("%s: gradient %d is %T, not a dense tensor", o, i, v)
		}
		grads = append(grads, d)
	}
	*o.into = grads
	return tensor.New(tensor.Of(vs[1].Dtype()), tensor.WithShape(1)), nil
}
