// Float32 loops of the snapshot's forward pass (package model's Snapshot):
// one dense layer applied to one vector, bias plus activation over a batch,
// and bias plus sigmoid into float64 pixels; and the same dense layer with
// its weights in half precision.
#ifndef LATENTLAB_FORWARD_H
#define LATENTLAB_FORWARD_H

#include <stdint.h>

void ll_dense_vec(const float *x, long k, const float *w, long n, const float *bias, int act, float slope,
                  float *y);
void ll_bias_act_rows(float *x, long rows, long cols, const float *bias, float slope);
void ll_bias_sigmoid_f64(const float *x, long rows, long cols, const float *bias, double *out);
void ll_bias_f64(const float *x, long rows, long cols, const float *bias, double *out);
float ll_max_abs(const float *x, long n);
// ll_half_best is the fastest half path this CPU runs: 2 (AVX-512 and
// F16C), 1 (AVX2 and F16C), 3 (arm64's NEON) or 0 (none); the two below
// take it as path.
int ll_half_best(void);
void ll_to_half(int path, const float *src, long n, float inv_scale, uint16_t *dst);
void ll_dense_vec_half(int path, const float *x, long k, const uint16_t *w, long n, float scale,
                       const float *bias, int act, float slope, float *y);

#endif
