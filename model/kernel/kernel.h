// Fused float32 loops for latentlab's training step, vectorised with
// AVX2 where the CPU has it; see kernel.c for why results match on every
// CPU.
#ifndef LATENTLAB_KERNEL_H
#define LATENTLAB_KERNEL_H

long ll_first_nonfinite(const float *x, long n);
int ll_adam(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long n,
            float step, float b1, float b2, float inv_bc2, float eps, float wd);
int ll_rmsprop(float *restrict w, const float *restrict g, float *restrict v, long n,
               float lr, float b2, float eps, float wd);
int ll_sgd(float *restrict w, const float *restrict g, float *restrict m, long n, float lr, float momentum, float wd);

void ll_bce_rows(const float *logits, const float *target, long rows, long cols, float *out);
void ll_bce_grad(const float *logits, const float *target, const float *upstream, long rows, long cols,
                 float *out);
// ll_bias_act may run in place (xw == out); mask may be NULL.
void ll_bias_act(const float *xw, const float *restrict bias, const float *restrict mask, long rows, long cols,
                 float slope, float *out);
// mask may be NULL.
void ll_act_grad(const float *restrict out, const float *restrict grad, const float *restrict mask, long n,
                 float slope, float *restrict dx);
void ll_col_sums(const float *restrict x, long rows, long cols, float *restrict out);
void ll_centred_sigmoid(const float *l, long n, float *out);
void ll_centred_sigmoid_grad(const float *restrict l, const float *restrict grad, long n, float *restrict dl);
void ll_dropout_mask(float *out, long n, unsigned int drop_below, float keep, unsigned long long seed);

#endif
