#include "portable.h"

#include <string.h>
#include "forward.h"

// The snapshot's loops, written in plain C without branches in their inner
// loops so that GCC vectorises them: AVX-512, AVX2 and baseline (SSE2)
// clones, picked at load time. All compute the same bits (see the pragma).
// The AVX-512 clone runs the sigmoid 2.6 times as fast as the AVX2 one on
// AMD Zen 5.

// GCC vectorises a choice between values (?:) only if it may assume that
// floating-point operations do not trap; nothing in latentlab reads the
// floating-point exception flags, and the results are the same bits either
// way. fp-contract=off keeps the AVX-512 clone (whose target includes FMA)
// from fusing a*b+c, which would round differently from the other clones.
// cgo refuses both as flags, hence the pragma.
#pragma GCC optimize("no-trapping-math", "fp-contract=off")

#ifdef LL_CLONES
#define VARIANTS __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VARIANTS
#endif

// act is v for v > 0 and slope*v otherwise: ReLU for slope 0, LeakyReLU
// for 0 < slope < 1.
static inline float act(float v, float slope) {
	float neg = slope * v; // computed either way, so the choice is a select
	return __builtin_isgreater(v, 0.0f) ? v : neg;
}

// exp_nonpos is exp(a) for a <= 0 (and NaN for NaN), within 2 ulp where
// the result is a normal float32: Cephes' expf (Moshier 1992), without
// branches. a = n ln2 + r with |r| <= ln2/2 (ln2 split in two, Cody & Waite
// 1980, so that n ln2 is exact), exp(r) by a degree-6 polynomial, and 2^n
// put together in the exponent bits, as 2^(n+1) * 0.5 so that n = -127
// still has a normal power of two. Results between -88 and -87.34 are
// subnormal; below -88 they are 0.
static inline float exp_nonpos(float a) {
	const float magic = 12582912.0f; // 1.5 * 2^23: adding it rounds to an integer
	float c = __builtin_isless(a, -88.0f) ? -88.0f : a; // NaN stays NaN
	float t = c * 1.44269504088896341f + magic;
	float n = t - magic;
	float r = c - n * 0.693359375f;
	r = r - n * -2.12194440e-4f;
	float p = 1.9875691500e-4f;
	p = p * r + 1.3981999507e-3f;
	p = p * r + 8.3334519073e-3f;
	p = p * r + 4.1665795894e-2f;
	p = p * r + 1.6666665459e-1f;
	p = p * r + 5.0000001201e-1f;
	p = p * (r * r) + r + 1.0f;
	uint32_t tb, mb;
	float magic_f = magic;
	memcpy(&tb, &t, sizeof tb);
	memcpy(&mb, &magic_f, sizeof mb);
	uint32_t bits = (tb - mb + 128) << 23; // 2^(n+1); n in [-127, 0] after the clamp
	float scale;
	memcpy(&scale, &bits, sizeof scale);
	float e = (p * scale) * 0.5f;
	return __builtin_isless(a, -88.0f) ? 0.0f : e;
}

// sigmoid is 1 / (1 + exp(-x)) within 3 ulp where the result is a normal
// float32: exp is only taken of -|x|, so it cannot overflow, and for x < 0
// the result is e / (1 + e), which keeps its relative accuracy as it
// approaches 0.
static inline float sigmoid(float x) {
	float e = exp_nonpos(-__builtin_fabsf(x));
	float s = 1.0f / (1.0f + e);
	float es = e * s;
	return __builtin_isgreaterequal(x, 0.0f) ? s : es;
}

// dense_rows4 adds a0 w0 + a1 w1 + a2 w2 + a3 w3 to y: four rows of W in
// one pass over y.
static inline void dense_rows4(float *restrict y, long n, const float *restrict w0, const float *restrict w1,
                               const float *restrict w2, const float *restrict w3, float a0, float a1, float a2,
                               float a3) {
	for (long j = 0; j < n; j++)
		y[j] += (a0 * w0[j] + a1 * w1[j]) + (a2 * w2[j] + a3 * w3[j]);
}

static inline void dense_row(float *restrict y, long n, const float *restrict w0, float a0) {
	for (long j = 0; j < n; j++)
		y[j] += a0 * w0[j];
}

// next_rows puts into idx the indices, from *i on, of the next (up to)
// four non-zero x_i, advances *i past them and returns how many it found.
static inline int next_rows(const float *x, long k, long *i, long idx[4]) {
	int m = 0;
	for (; *i < k && m < 4; (*i)++)
		if (x[*i] != 0)
			idx[m++] = *i;
	return m;
}

// ll_dense_vec sets y (n) to bias + x·W for one vector x (k) and W (k x n,
// row-major), then applies act with slope if act is non-zero. bias may be
// NULL (zero). Rows of W whose x_i is zero are not read at all: after a
// ReLU about half the inputs are, and reading W is what takes the time.
VARIANTS void ll_dense_vec(const float *x, long k, const float *w, long n, const float *bias, int act_on,
                           float slope, float *y) {
	if (bias)
		memcpy(y, bias, n * sizeof *y);
	else
		memset(y, 0, n * sizeof *y);
	long i = 0, r[4];
	int m;
	while ((m = next_rows(x, k, &i, r)) == 4)
		dense_rows4(y, n, w + r[0] * n, w + r[1] * n, w + r[2] * n, w + r[3] * n, x[r[0]], x[r[1]], x[r[2]],
		            x[r[3]]);
	for (int j = 0; j < m; j++)
		dense_row(y, n, w + r[j] * n, x[r[j]]);
	if (act_on)
		for (long j = 0; j < n; j++)
			y[j] = act(y[j], slope);
}

// ll_bias_act_rows sets x = act(x + bias) in place, bias added to each of
// the rows of x (rows x cols).
VARIANTS void ll_bias_act_rows(float *x, long rows, long cols, const float *bias, float slope) {
	for (long r = 0; r < rows; r++) {
		float *restrict row = x + r * cols;
		for (long j = 0; j < cols; j++)
			row[j] = act(row[j] + bias[j], slope);
	}
}

// ll_bias_sigmoid_f64 sets out = sigmoid(x + bias), as float64, bias added
// to each of the rows of x (rows x cols).
VARIANTS void ll_bias_sigmoid_f64(const float *x, long rows, long cols, const float *bias, double *out) {
	for (long r = 0; r < rows; r++) {
		const float *restrict row = x + r * cols;
		double *restrict o = out + r * cols;
		for (long j = 0; j < cols; j++)
			o[j] = sigmoid(row[j] + bias[j]);
	}
}

// ll_bias_f64 sets out = x + bias, as float64, bias added to each of the
// rows of x (rows x cols).
VARIANTS void ll_bias_f64(const float *x, long rows, long cols, const float *bias, double *out) {
	for (long r = 0; r < rows; r++) {
		const float *restrict row = x + r * cols;
		double *restrict o = out + r * cols;
		for (long j = 0; j < cols; j++)
			o[j] = row[j] + bias[j];
	}
}

// ll_max_abs returns the largest |x_i| of x (n > 0), or NaN if x holds NaN
// or ±Inf. It takes the maximum of the bits with the sign cleared, which
// order as the magnitudes do (and put NaN and Inf above every finite
// value): an integer maximum, which GCC vectorises where a float one would
// need -ffast-math.
VARIANTS float ll_max_abs(const float *x, long n) {
	uint32_t m = 0;
	for (long i = 0; i < n; i++) {
		uint32_t b;
		memcpy(&b, x + i, sizeof b);
		b &= 0x7fffffffu;
		m = b > m ? b : m;
	}
	if (m >= 0x7f800000u)
		return __builtin_nanf("");
	float f;
	memcpy(&f, &m, sizeof f);
	return f;
}

// Half precision (IEEE binary16) weights for the snapshot's preview decode:
// half the bytes of float32, and the decode reads its weights from cache
// rather than computes, so it takes about half the time. Two paths, the
// same bits: 16 lanes with AVX-512 and 8 with AVX2, both converting with
// F16C, and NEON's on arm64; every lane does the same float32 operations in
// the same order, and none fuses a multiply and an add. ll_half_best says
// which one this CPU runs best.

#ifdef LL_X86
#include <cpuid.h>
#include <immintrin.h>
#define HALF512 __attribute__((target("avx512f,f16c")))
#define HALF256 __attribute__((target("avx2,f16c")))

enum { HALF_NONE = 0, HALF_AVX2 = 1, HALF_AVX512 = 2 };

// has_f16c reads F16C from CPUID leaf 1 (clang's __builtin_cpu_supports
// does not know it). The OS saving the AVX registers is what the
// avx2/avx512f checks below already ask.
static int has_f16c(void) {
	unsigned a, b, c, d;
	return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
}

int ll_half_best(void) {
	__builtin_cpu_init();
	if (!has_f16c())
		return HALF_NONE;
	if (__builtin_cpu_supports("avx512f"))
		return HALF_AVX512;
	if (__builtin_cpu_supports("avx2"))
		return HALF_AVX2;
	return HALF_NONE;
}

HALF512 static void to_half512(const float *src, long n, float inv_scale, uint16_t *dst) {
	__m512 s = _mm512_set1_ps(inv_scale);
	long i = 0;
	for (; i + 16 <= n; i += 16)
		_mm256_storeu_si256((__m256i *)(dst + i),
		                    _mm512_cvtps_ph(_mm512_mul_ps(_mm512_loadu_ps(src + i), s), _MM_FROUND_TO_NEAREST_INT));
	for (; i < n; i++)
		dst[i] = _cvtss_sh(src[i] * inv_scale, _MM_FROUND_TO_NEAREST_INT);
}

HALF256 static void to_half256(const float *src, long n, float inv_scale, uint16_t *dst) {
	__m256 s = _mm256_set1_ps(inv_scale);
	long i = 0;
	for (; i + 8 <= n; i += 8)
		_mm_storeu_si128((__m128i *)(dst + i),
		                 _mm256_cvtps_ph(_mm256_mul_ps(_mm256_loadu_ps(src + i), s), _MM_FROUND_TO_NEAREST_INT));
	for (; i < n; i++)
		dst[i] = _cvtss_sh(src[i] * inv_scale, _MM_FROUND_TO_NEAREST_INT);
}

// ll_to_half sets dst_i to src_i * inv_scale rounded to the nearest half
// (ties to even); from ±65520 (halfway past the largest half, 65504) on,
// that is ±Inf. path is HALF_AVX512 or HALF_AVX2.
void ll_to_half(int path, const float *src, long n, float inv_scale, uint16_t *dst) {
	if (path == HALF_AVX512)
		to_half512(src, n, inv_scale, dst);
	else
		to_half256(src, n, inv_scale, dst);
}

// half_rows4 adds a0 w0 + a1 w1 + a2 w2 + a3 w3 to acc (n), W in half
// precision; the tail past the last full vector gets the same sums, one at
// a time.
HALF512 static void half_rows4_512(float *acc, long n, const uint16_t *w0, const uint16_t *w1,
                                   const uint16_t *w2, const uint16_t *w3, float a0, float a1, float a2,
                                   float a3) {
	__m512 c0 = _mm512_set1_ps(a0), c1 = _mm512_set1_ps(a1), c2 = _mm512_set1_ps(a2), c3 = _mm512_set1_ps(a3);
	long j = 0;
	for (; j + 16 <= n; j += 16) {
		__m512 v0 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(w0 + j)));
		__m512 v1 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(w1 + j)));
		__m512 v2 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(w2 + j)));
		__m512 v3 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(w3 + j)));
		__m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(c0, v0), _mm512_mul_ps(c1, v1)),
		                         _mm512_add_ps(_mm512_mul_ps(c2, v2), _mm512_mul_ps(c3, v3)));
		_mm512_storeu_ps(acc + j, _mm512_add_ps(_mm512_loadu_ps(acc + j), s));
	}
	for (; j < n; j++)
		acc[j] += (a0 * _cvtsh_ss(w0[j]) + a1 * _cvtsh_ss(w1[j])) + (a2 * _cvtsh_ss(w2[j]) + a3 * _cvtsh_ss(w3[j]));
}

HALF256 static void half_rows4_256(float *acc, long n, const uint16_t *w0, const uint16_t *w1,
                                   const uint16_t *w2, const uint16_t *w3, float a0, float a1, float a2,
                                   float a3) {
	__m256 c0 = _mm256_set1_ps(a0), c1 = _mm256_set1_ps(a1), c2 = _mm256_set1_ps(a2), c3 = _mm256_set1_ps(a3);
	long j = 0;
	for (; j + 8 <= n; j += 8) {
		__m256 v0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w0 + j)));
		__m256 v1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w1 + j)));
		__m256 v2 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w2 + j)));
		__m256 v3 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w3 + j)));
		__m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(c0, v0), _mm256_mul_ps(c1, v1)),
		                         _mm256_add_ps(_mm256_mul_ps(c2, v2), _mm256_mul_ps(c3, v3)));
		_mm256_storeu_ps(acc + j, _mm256_add_ps(_mm256_loadu_ps(acc + j), s));
	}
	for (; j < n; j++)
		acc[j] += (a0 * _cvtsh_ss(w0[j]) + a1 * _cvtsh_ss(w1[j])) + (a2 * _cvtsh_ss(w2[j]) + a3 * _cvtsh_ss(w3[j]));
}

// half_row adds a0 w0 to acc (n), W in half precision.
HALF512 static void half_row_512(float *acc, long n, const uint16_t *w0, float a0) {
	__m512 c0 = _mm512_set1_ps(a0);
	long j = 0;
	for (; j + 16 <= n; j += 16) {
		__m512 v0 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(w0 + j)));
		_mm512_storeu_ps(acc + j, _mm512_add_ps(_mm512_loadu_ps(acc + j), _mm512_mul_ps(c0, v0)));
	}
	for (; j < n; j++)
		acc[j] += a0 * _cvtsh_ss(w0[j]);
}

HALF256 static void half_row_256(float *acc, long n, const uint16_t *w0, float a0) {
	__m256 c0 = _mm256_set1_ps(a0);
	long j = 0;
	for (; j + 8 <= n; j += 8) {
		__m256 v0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w0 + j)));
		_mm256_storeu_ps(acc + j, _mm256_add_ps(_mm256_loadu_ps(acc + j), _mm256_mul_ps(c0, v0)));
	}
	for (; j < n; j++)
		acc[j] += a0 * _cvtsh_ss(w0[j]);
}

// half_rows4 and half_row run the path's loops.
static void half_rows4(int path, float *acc, long n, const uint16_t *w0, const uint16_t *w1, const uint16_t *w2,
                       const uint16_t *w3, float a0, float a1, float a2, float a3) {
	if (path == HALF_AVX512)
		half_rows4_512(acc, n, w0, w1, w2, w3, a0, a1, a2, a3);
	else
		half_rows4_256(acc, n, w0, w1, w2, w3, a0, a1, a2, a3);
}

static void half_row(int path, float *acc, long n, const uint16_t *w0, float a0) {
	if (path == HALF_AVX512)
		half_row_512(acc, n, w0, a0);
	else
		half_row_256(acc, n, w0, a0);
}
#elif defined(__aarch64__)
// arm64 has half-precision conversions in every core (NEON's fcvtl and
// fcvtn), so the loops are plain C over __fp16, which GCC and clang
// vectorise; the same operations in the same order as the x86 loops, so
// the same bits. path is 3.

int ll_half_best(void) { return 3; }

void ll_to_half(int path, const float *src, long n, float inv_scale, uint16_t *dst) {
	(void)path;
	for (long i = 0; i < n; i++) {
		__fp16 h = (__fp16)(src[i] * inv_scale); // round to nearest, ties to even
		memcpy(dst + i, &h, sizeof h);
	}
}

static void half_rows4_neon(float *restrict acc, long n, const __fp16 *restrict w0, const __fp16 *restrict w1,
                            const __fp16 *restrict w2, const __fp16 *restrict w3, float a0, float a1, float a2,
                            float a3) {
	for (long j = 0; j < n; j++)
		acc[j] += (a0 * (float)w0[j] + a1 * (float)w1[j]) + (a2 * (float)w2[j] + a3 * (float)w3[j]);
}

static void half_row_neon(float *restrict acc, long n, const __fp16 *restrict w0, float a0) {
	for (long j = 0; j < n; j++)
		acc[j] += a0 * (float)w0[j];
}

static void half_rows4(int path, float *acc, long n, const uint16_t *w0, const uint16_t *w1, const uint16_t *w2,
                       const uint16_t *w3, float a0, float a1, float a2, float a3) {
	(void)path;
	half_rows4_neon(acc, n, (const __fp16 *)w0, (const __fp16 *)w1, (const __fp16 *)w2, (const __fp16 *)w3, a0, a1,
	                a2, a3);
}

static void half_row(int path, float *acc, long n, const uint16_t *w0, float a0) {
	(void)path;
	half_row_neon(acc, n, (const __fp16 *)w0, a0);
}
#else
int ll_half_best(void) { return 0; }
void ll_to_half(int path, const float *src, long n, float inv_scale, uint16_t *dst) { __builtin_trap(); }
static void half_rows4(int path, float *acc, long n, const uint16_t *w0, const uint16_t *w1, const uint16_t *w2,
                       const uint16_t *w3, float a0, float a1, float a2, float a3) {
	__builtin_trap();
}
static void half_row(int path, float *acc, long n, const uint16_t *w0, float a0) { __builtin_trap(); }
#endif

// ll_dense_vec_half is ll_dense_vec with W in half precision, its values
// the weights divided by scale: y = bias + scale * (x·W), then act. Rows of
// W whose x_i is zero are not read. path is one ll_half_best gave.
void ll_dense_vec_half(int path, const float *x, long k, const uint16_t *w, long n, float scale,
                       const float *bias, int act_on, float slope, float *y) {
	memset(y, 0, n * sizeof *y);
	long i = 0, r[4];
	int m;
	while ((m = next_rows(x, k, &i, r)) == 4)
		half_rows4(path, y, n, w + r[0] * n, w + r[1] * n, w + r[2] * n, w + r[3] * n, x[r[0]], x[r[1]], x[r[2]],
		           x[r[3]]);
	for (int j = 0; j < m; j++)
		half_row(path, y, n, w + r[j] * n, x[r[j]]);
	for (long j = 0; j < n; j++) {
		float v = scale * y[j] + (bias ? bias[j] : 0.0f);
		y[j] = act_on ? act(v, slope) : v;
	}
}
