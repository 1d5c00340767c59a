/* The machine's floating-point peak for bench/knn.mjs: independent fused multiply-add chains on
 * every core (one thread per core), float32 and float64, 256-bit (AVX2 + FMA) and, where the CPU
 * has it, 512-bit (AVX-512F) vectors; prints one JSON line of GFLOP/s. Built by the bench with the
 * system compiler when there is one (`cc -O3 -funroll-all-loops -march=native -pthread`: at -O2 the
 * chains stay in memory and the peak reads about a third of the real one); never part of the package.
 * Usage: peak <threads> */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12
#define ITERS 40000000L

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static volatile double sink;

static void *ps256(void *arg) {
  (void)arg;
  __m256 a[CHAINS]; for (int i = 0; i < CHAINS; i++) a[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
  const __m256 b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (long k = 0; k < ITERS; k++) for (int i = 0; i < CHAINS; i++) a[i] = _mm256_fmadd_ps(a[i], b, c);
  float s = 0; for (int i = 0; i < CHAINS; i++) { float v[8]; _mm256_storeu_ps(v, a[i]); s += v[0]; }
  sink = s; return NULL;
}
static void *pd256(void *arg) {
  (void)arg;
  __m256d a[CHAINS]; for (int i = 0; i < CHAINS; i++) a[i] = _mm256_set1_pd(1.0 + i * 1e-3);
  const __m256d b = _mm256_set1_pd(0.999999), c = _mm256_set1_pd(1e-7);
  for (long k = 0; k < ITERS; k++) for (int i = 0; i < CHAINS; i++) a[i] = _mm256_fmadd_pd(a[i], b, c);
  double s = 0; for (int i = 0; i < CHAINS; i++) { double v[4]; _mm256_storeu_pd(v, a[i]); s += v[0]; }
  sink = s; return NULL;
}
#ifdef __AVX512F__
static void *ps512(void *arg) {
  (void)arg;
  __m512 a[CHAINS]; for (int i = 0; i < CHAINS; i++) a[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
  const __m512 b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  for (long k = 0; k < ITERS; k++) for (int i = 0; i < CHAINS; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
  float s = 0; for (int i = 0; i < CHAINS; i++) s += _mm512_reduce_add_ps(a[i]);
  sink = s; return NULL;
}
#endif

/* GFLOP/s of `fn` on `threads` threads (lanes * 2 flops per FMA). */
static double run(void *(*fn)(void *), int threads, int lanes) {
  pthread_t t[64];
  double t0 = now();
  for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, fn, NULL);
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  double s = now() - t0;
  return (double)threads * ITERS * CHAINS * lanes * 2 / s / 1e9;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  if (threads < 1 || threads > 64) threads = 2;
  double f32 = run(ps256, threads, 8), f64 = run(pd256, threads, 4), f32w = 0;
#ifdef __AVX512F__
  f32w = run(ps512, threads, 16);
#endif
  printf("{\"threads\": %d, \"f32_avx2\": %.1f, \"f64_avx2\": %.1f, \"f32_avx512\": %.1f}\n", threads, f32, f64, f32w);
  return 0;
}
