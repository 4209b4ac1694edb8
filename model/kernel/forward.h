// Float32 loops of the snapshot's forward pass (package model's Snapshot):
// one dense layer applied to one vector, bias plus activation over a batch,
// and bias plus sigmoid into float64 pixels.
#ifndef LATENTLAB_FORWARD_H
#define LATENTLAB_FORWARD_H

void ll_dense_vec(const float *x, long k, const float *w, long n, const float *bias, int act, float slope,
                  float *y);
void ll_bias_act_rows(float *x, long rows, long cols, const float *bias, float slope);
void ll_bias_sigmoid_f64(const float *x, long rows, long cols, const float *bias, double *out);
void ll_bias_f64(const float *x, long rows, long cols, const float *bias, double *out);

#endif
