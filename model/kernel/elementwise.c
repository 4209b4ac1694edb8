// No contraction of a*b+c into an FMA, even when the build targets a CPU
// that has one (CGO_CFLAGS=-march=native, say): every CPU must compute the
// same bits. And no trapping math: GCC turns a choice between values (?:,
// as in every activation) into a branch-free blend only if it may assume
// that arithmetic does not trap; without it the activation loops stay
// scalar and branch on the sign of each value, which real data mispredicts
// (measured: 3 ns per element in training against 0.35 ns vectorised).
// Nothing in latentlab reads the floating-point exception flags. cgo
// refuses both flags on its command line, hence the pragma.
#pragma GCC optimize("fp-contract=off", "no-trapping-math")

#include "portable.h"

#include <math.h>
#include "kernel.h"

#ifdef LL_X86
#include <immintrin.h>
#endif

// Element-wise loops of the training graphs. The transcendental ones use
// glibc's libmvec (8-wide AVX2 expf and log1pf, within 4 ulp) where the CPU
// has AVX2 and the C library is glibc, and scalar expf and log1pf elsewhere
// and in the tails.

#ifdef LL_MVEC
#define HAVE_AVX2_PATH 1
__attribute__((target("avx2"))) __m256 _ZGVdN8v_expf(__m256 x);
__attribute__((target("avx2"))) __m256 _ZGVdN8v_log1pf(__m256 x);
#endif
#ifdef LL_CLONES
#define VARIANTS __attribute__((target_clones("avx2", "default")))
#else
#define VARIANTS
#endif

static inline float softplus(float l) { return fmaxf(l, 0) + log1pf(expf(-fabsf(l))); }
static inline float sigmoid(float l) { return 1 / (1 + expf(-l)); }

static void centred_sigmoid_scalar(const float *l, long from, long n, float *out) {
	for (long i = from; i < n; i++)
		out[i] = 2 / (1 + expf(-l[i])) - 1;
}

// d(2 sigmoid(l) - 1)/dl = 2 sigmoid(l) (1 - sigmoid(l)) = 2 e / (1 + e)^2 with
// e = exp(-|l|), which stays accurate where the sigmoid saturates.
static void centred_sigmoid_grad_scalar(const float *l, const float *grad, long from, long n, float *dl) {
	for (long i = from; i < n; i++) {
		float e = expf(-fabsf(l[i])), d = 1 + e;
		dl[i] = grad[i] * (2 * e / (d * d));
	}
}

static void bce_rows_scalar(const float *logits, const float *target, long rows, long cols, float *out) {
	for (long r = 0; r < rows; r++) {
		const float *l = logits + r * cols, *t = target + r * cols;
		float sum = 0;
		for (long j = 0; j < cols; j++)
			sum += softplus(l[j]) - t[j] * l[j];
		out[r] = sum;
	}
}

static void bce_grad_scalar(const float *logits, const float *target, const float *upstream, long from, long n,
                            long cols, float *out) {
	for (long i = from; i < n; i++)
		out[i] = upstream[i / cols] * (sigmoid(logits[i]) - target[i]);
}

#ifdef HAVE_AVX2_PATH
__attribute__((target("avx2"))) static void bce_rows_avx2(const float *logits, const float *target, long rows,
                                                          long cols, float *out) {
	const __m256 sign = _mm256_set1_ps(-0.0f), zero = _mm256_setzero_ps();
	for (long r = 0; r < rows; r++) {
		const float *l = logits + r * cols, *t = target + r * cols;
		__m256 acc = zero;
		long j = 0;
		for (; j + 8 <= cols; j += 8) {
			__m256 lj = _mm256_loadu_ps(l + j);
			__m256 e = _ZGVdN8v_expf(_mm256_or_ps(lj, sign)); // exp(-|l|)
			__m256 sp = _mm256_add_ps(_mm256_max_ps(lj, zero), _ZGVdN8v_log1pf(e));
			acc = _mm256_add_ps(acc, _mm256_sub_ps(sp, _mm256_mul_ps(_mm256_loadu_ps(t + j), lj)));
		}
		float lanes[8], sum = 0;
		_mm256_storeu_ps(lanes, acc);
		for (int k = 0; k < 8; k++)
			sum += lanes[k];
		for (; j < cols; j++)
			sum += softplus(l[j]) - t[j] * l[j];
		out[r] = sum;
	}
}

__attribute__((target("avx2"))) static void bce_grad_avx2(const float *logits, const float *target,
                                                          const float *upstream, long rows, long cols, float *out) {
	const __m256 one = _mm256_set1_ps(1), sign = _mm256_set1_ps(-0.0f);
	for (long r = 0; r < rows; r++) {
		const float *l = logits + r * cols, *t = target + r * cols;
		float *o = out + r * cols;
		const __m256 up = _mm256_set1_ps(upstream[r]);
		long j = 0;
		for (; j + 8 <= cols; j += 8) {
			__m256 e = _ZGVdN8v_expf(_mm256_xor_ps(_mm256_loadu_ps(l + j), sign)); // exp(-l)
			__m256 s = _mm256_div_ps(one, _mm256_add_ps(one, e));
			_mm256_storeu_ps(o + j, _mm256_mul_ps(up, _mm256_sub_ps(s, _mm256_loadu_ps(t + j))));
		}
		bce_grad_scalar(logits, target, upstream, r * cols + j, (r + 1) * cols, cols, out);
	}
}

__attribute__((target("avx2"))) static void centred_sigmoid_avx2(const float *l, long n, float *out) {
	const __m256 one = _mm256_set1_ps(1), two = _mm256_set1_ps(2), sign = _mm256_set1_ps(-0.0f);
	long i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 e = _ZGVdN8v_expf(_mm256_xor_ps(_mm256_loadu_ps(l + i), sign)); // exp(-l)
		_mm256_storeu_ps(out + i, _mm256_sub_ps(_mm256_div_ps(two, _mm256_add_ps(one, e)), one));
	}
	centred_sigmoid_scalar(l, i, n, out);
}

__attribute__((target("avx2"))) static void centred_sigmoid_grad_avx2(const float *l, const float *grad, long n,
                                                                      float *dl) {
	const __m256 one = _mm256_set1_ps(1), two = _mm256_set1_ps(2), sign = _mm256_set1_ps(-0.0f);
	long i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 e = _ZGVdN8v_expf(_mm256_or_ps(_mm256_loadu_ps(l + i), sign)); // exp(-|l|)
		__m256 d = _mm256_add_ps(one, e);
		__m256 s = _mm256_div_ps(_mm256_mul_ps(two, e), _mm256_mul_ps(d, d));
		_mm256_storeu_ps(dl + i, _mm256_mul_ps(_mm256_loadu_ps(grad + i), s));
	}
	centred_sigmoid_grad_scalar(l, grad, i, n, dl);
}
#endif

void ll_bce_rows(const float *logits, const float *target, long rows, long cols, float *out) {
#ifdef HAVE_AVX2_PATH
	if (__builtin_cpu_supports("avx2")) {
		bce_rows_avx2(logits, target, rows, cols, out);
		return;
	}
#endif
	bce_rows_scalar(logits, target, rows, cols, out);
}

void ll_bce_grad(const float *logits, const float *target, const float *upstream, long rows, long cols,
                 float *out) {
#ifdef HAVE_AVX2_PATH
	if (__builtin_cpu_supports("avx2")) {
		bce_grad_avx2(logits, target, upstream, rows, cols, out);
		return;
	}
#endif
	bce_grad_scalar(logits, target, upstream, 0, rows * cols, cols, out);
}

void ll_centred_sigmoid(const float *l, long n, float *out) {
#ifdef HAVE_AVX2_PATH
	if (__builtin_cpu_supports("avx2")) {
		centred_sigmoid_avx2(l, n, out);
		return;
	}
#endif
	centred_sigmoid_scalar(l, 0, n, out);
}

void ll_centred_sigmoid_grad(const float *restrict l, const float *restrict grad, long n, float *restrict dl) {
#ifdef HAVE_AVX2_PATH
	if (__builtin_cpu_supports("avx2")) {
		centred_sigmoid_grad_avx2(l, grad, n, dl);
		return;
	}
#endif
	centred_sigmoid_grad_scalar(l, grad, 0, n, dl);
}

VARIANTS void ll_bias_act(const float *xw, const float *restrict bias, const float *restrict mask, long rows,
                          long cols, float slope, float *out) {
	for (long r = 0; r < rows; r++) {
		const float *x = xw + r * cols;
		float *o = out + r * cols;
		if (mask) {
			const float *m = mask + r * cols;
			for (long j = 0; j < cols; j++) {
				float v = x[j] + bias[j];
				o[j] = (v > 0 ? v : slope * v) * m[j];
			}
		} else {
			for (long j = 0; j < cols; j++) {
				float v = x[j] + bias[j];
				o[j] = v > 0 ? v : slope * v;
			}
		}
	}
}

VARIANTS void ll_act_grad(const float *restrict out, const float *restrict grad, const float *restrict mask,
                          long n, float slope, float *restrict dx) {
	if (mask) {
		for (long i = 0; i < n; i++)
			dx[i] = (out[i] > 0 ? grad[i] : slope * grad[i]) * mask[i];
	} else {
		for (long i = 0; i < n; i++)
			dx[i] = out[i] > 0 ? grad[i] : slope * grad[i];
	}
}

VARIANTS void ll_col_sums(const float *restrict x, long rows, long cols, float *restrict out) {
	for (long j = 0; j < cols; j++)
		out[j] = 0;
	for (long r = 0; r < rows; r++) {
		const float *row = x + r * cols;
		for (long j = 0; j < cols; j++)
			out[j] += row[j];
	}
}

// splitmix64 (Steele, Lea and Flood 2014) advances *state and returns 64
// well-mixed bits.
static inline unsigned long long splitmix64(unsigned long long *state) {
	unsigned long long z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

void ll_dropout_mask(float *out, long n, unsigned int drop_below, float keep, unsigned long long seed) {
	unsigned long long state = seed;
	long i = 0;
	// Two entries per draw, written without branches: keep * (bits >= drop_below).
	for (; i + 2 <= n; i += 2) {
		unsigned long long z = splitmix64(&state);
		out[i] = keep * (float)((unsigned int)z >= drop_below);
		out[i + 1] = keep * (float)((unsigned int)(z >> 32) >= drop_below);
	}
	if (i < n)
		out[i] = keep * (float)((unsigned int)splitmix64(&state) >= drop_below);
}
