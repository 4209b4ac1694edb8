// No contraction of a*b+c into an FMA, even when the build targets a CPU
// that has one (CGO_CFLAGS=-march=native, say): every CPU must compute the
// same bits. cgo refuses -ffp-contract=off as a flag, hence the pragma.
#pragma GCC optimize("fp-contract=off")

#include "portable.h"

#include <float.h>
#include <math.h>
#include "kernel.h"

#ifdef LL_X86
#include <immintrin.h>
#endif

// The loops are written once in scalar C, which GCC vectorises where it can,
// and the optimizers' again with AVX2 intrinsics because GCC will not
// vectorise sqrtf without -fno-math-errno (a flag cgo refuses). With no FMA
// contraction (the pragma above) and correctly rounded sqrt and division,
// both versions compute the same bits on every CPU, and the same bits as
// the plain loops in package model (tested).

#ifdef LL_X86
#define HAVE_AVX2_PATH 1
#endif
#ifdef LL_CLONES
#define VARIANTS __attribute__((target_clones("avx2", "default")))
#else
#define VARIANTS
#endif

// is_finite is 1 for a finite x and 0 for NaN or ±Inf, without branches.
static inline int is_finite(float x) { return fabsf(x) <= FLT_MAX; }

VARIANTS long ll_first_nonfinite(const float *x, long n) {
	const long block = 4096;
	for (long start = 0; start < n; start += block) {
		long end = start + block < n ? start + block : n;
		int bad = 0;
		for (long i = start; i < end; i++)
			bad |= !is_finite(x[i]);
		if (bad)
			for (long i = start; i < end; i++)
				if (!is_finite(x[i]))
					return i;
	}
	return -1;
}

static int adam_scalar(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                       long from, long n, float step, float b1, float b2, float inv_bc2, float eps, float wd) {
	int bad = 0;
	for (long i = from; i < n; i++) {
		float gi = g[i] + wd * w[i];
		float mi = b1 * m[i] + (1 - b1) * gi;
		float vi = b2 * v[i] + (1 - b2) * gi * gi;
		float wi = w[i] - step * mi / (sqrtf(vi * inv_bc2) + eps);
		m[i] = mi;
		v[i] = vi;
		w[i] = wi;
		bad |= !is_finite(wi);
	}
	return !bad;
}

static int rmsprop_scalar(float *restrict w, const float *restrict g, float *restrict v, long from, long n,
                          float lr, float b2, float eps, float wd) {
	int bad = 0;
	for (long i = from; i < n; i++) {
		float gi = g[i] + wd * w[i];
		float vi = b2 * v[i] + (1 - b2) * gi * gi;
		float wi = w[i] - lr * gi / (sqrtf(vi) + eps);
		v[i] = vi;
		w[i] = wi;
		bad |= !is_finite(wi);
	}
	return !bad;
}

#ifdef HAVE_AVX2_PATH
// not_finite8 is all ones in the lanes of x that are NaN or ±Inf.
__attribute__((target("avx2"))) static inline __m256 not_finite8(__m256 x) {
	__m256 abs = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
	return _mm256_cmp_ps(abs, _mm256_set1_ps(FLT_MAX), _CMP_NLE_UQ);
}

__attribute__((target("avx2"))) static int adam_avx2(float *restrict w, const float *restrict g, float *restrict m,
                                                     float *restrict v, long n, float step, float b1, float b2,
                                                     float inv_bc2, float eps, float wd) {
	const __m256 vb1 = _mm256_set1_ps(b1), vc1 = _mm256_set1_ps(1 - b1);
	const __m256 vb2 = _mm256_set1_ps(b2), vc2 = _mm256_set1_ps(1 - b2);
	const __m256 vstep = _mm256_set1_ps(step), vinv = _mm256_set1_ps(inv_bc2);
	const __m256 veps = _mm256_set1_ps(eps), vwd = _mm256_set1_ps(wd), zero = _mm256_setzero_ps();
	__m256 bad = zero;
	long i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 wi = _mm256_loadu_ps(w + i);
		__m256 gi = _mm256_add_ps(_mm256_loadu_ps(g + i), _mm256_mul_ps(vwd, wi));
		__m256 mi = _mm256_add_ps(_mm256_mul_ps(vb1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(vc1, gi));
		__m256 vi = _mm256_add_ps(_mm256_mul_ps(vb2, _mm256_loadu_ps(v + i)),
		                          _mm256_mul_ps(_mm256_mul_ps(vc2, gi), gi));
		__m256 den = _mm256_add_ps(_mm256_sqrt_ps(_mm256_mul_ps(vi, vinv)), veps);
		wi = _mm256_sub_ps(wi, _mm256_div_ps(_mm256_mul_ps(vstep, mi), den));
		_mm256_storeu_ps(m + i, mi);
		_mm256_storeu_ps(v + i, vi);
		_mm256_storeu_ps(w + i, wi);
		bad = _mm256_or_ps(bad, not_finite8(wi));
	}
	int ok = adam_scalar(w, g, m, v, i, n, step, b1, b2, inv_bc2, eps, wd);
	return ok && !_mm256_movemask_ps(bad);
}

__attribute__((target("avx2"))) static int rmsprop_avx2(float *restrict w, const float *restrict g, float *restrict v,
                                                        long n, float lr, float b2, float eps, float wd) {
	const __m256 vb2 = _mm256_set1_ps(b2), vc2 = _mm256_set1_ps(1 - b2), vlr = _mm256_set1_ps(lr);
	const __m256 veps = _mm256_set1_ps(eps), vwd = _mm256_set1_ps(wd), zero = _mm256_setzero_ps();
	__m256 bad = zero;
	long i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 wi = _mm256_loadu_ps(w + i);
		__m256 gi = _mm256_add_ps(_mm256_loadu_ps(g + i), _mm256_mul_ps(vwd, wi));
		__m256 vi = _mm256_add_ps(_mm256_mul_ps(vb2, _mm256_loadu_ps(v + i)),
		                          _mm256_mul_ps(_mm256_mul_ps(vc2, gi), gi));
		__m256 den = _mm256_add_ps(_mm256_sqrt_ps(vi), veps);
		wi = _mm256_sub_ps(wi, _mm256_div_ps(_mm256_mul_ps(vlr, gi), den));
		_mm256_storeu_ps(v + i, vi);
		_mm256_storeu_ps(w + i, wi);
		bad = _mm256_or_ps(bad, not_finite8(wi));
	}
	int ok = rmsprop_scalar(w, g, v, i, n, lr, b2, eps, wd);
	return ok && !_mm256_movemask_ps(bad);
}
#endif

int ll_adam(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long n,
            float step, float b1, float b2, float inv_bc2, float eps, float wd) {
#ifdef HAVE_AVX2_PATH
	if (__builtin_cpu_supports("avx2"))
		return adam_avx2(w, g, m, v, n, step, b1, b2, inv_bc2, eps, wd);
#endif
	return adam_scalar(w, g, m, v, 0, n, step, b1, b2, inv_bc2, eps, wd);
}

int ll_rmsprop(float *restrict w, const float *restrict g, float *restrict v, long n,
               float lr, float b2, float eps, float wd) {
#ifdef HAVE_AVX2_PATH
	if (__builtin_cpu_supports("avx2"))
		return rmsprop_avx2(w, g, v, n, lr, b2, eps, wd);
#endif
	return rmsprop_scalar(w, g, v, 0, n, lr, b2, eps, wd);
}

VARIANTS int ll_sgd(float *restrict w, const float *restrict g, float *restrict m, long n, float lr, float momentum,
                    float wd) {
	int bad = 0;
	for (long i = 0; i < n; i++) {
		float gi = g[i] + wd * w[i];
		float mi = momentum * m[i] + gi;
		float wi = w[i] - lr * mi;
		m[i] = mi;
		w[i] = wi;
		bad |= !is_finite(wi);
	}
	return !bad;
}
