// What the compiler and platform building the kernels can do, so that every
// kernel builds with any C compiler cgo uses (GCC, clang, mingw-w64) on any
// architecture: the plain C loops always, the x86 fast paths only where
// their attributes and libraries exist.
#ifndef LATENTLAB_PORTABLE_H
#define LATENTLAB_PORTABLE_H

#include <stdint.h> // on glibc this also defines __GLIBC__

// Every CPU must compute the same bits: no contraction of a*b+c into an FMA,
// which GCC does by default on arm64 and clang does within an expression.
// GCC takes the files' own "#pragma GCC optimize" (cgo refuses the flag);
// clang takes the standard pragma.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

// LL_X86: x86-64 with a GCC-compatible compiler, which has the target
// attribute, the x86 intrinsics and __builtin_cpu_supports for choosing a
// path at run time.
#if defined(__x86_64__) && defined(__GNUC__)
#define LL_X86 1
#endif

// LL_CLONES: the compiler can clone a function for several CPUs and pick one
// at load time (GCC's target_clones), which needs the ifunc of an ELF
// system with glibc; not mingw-w64, musl, macOS or clang.
#if defined(LL_X86) && !defined(__clang__) && defined(__GLIBC__) && defined(__ELF__)
#define LL_CLONES 1
#endif

// LL_MVEC: glibc's libmvec, with 8-wide AVX2 expf and log1pf, is there
// (linked by kernel.go on linux/amd64).
#if defined(LL_X86) && defined(__GLIBC__) && defined(__linux__)
#define LL_MVEC 1
#endif

#endif
