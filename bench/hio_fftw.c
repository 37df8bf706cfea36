/*
 * C + FFTW reference for one ER / HIO iteration of phase retrieval, the data flow of the Java backends
 * (sc.fiji.cdi.phasing.fftw.FftwBackend): forward FFT rho -> F out of place, modulus projection of F in place
 * (M.F/|F| where measured, F where not, 1/N folded in, chi^2 = sum(|F|-M)^2 / sum M^2 in the same pass),
 * backward FFT in place, then the ER or HIO update of rho with the support. Single precision, FFTW_MEASURE
 * plans (or FFTW_ESTIMATE with -e), FFTW threads plus OpenMP elementwise loops.
 *
 * Build: gcc -O3 -march=native -fopenmp hio_fftw.c -o hio_fftw -lfftw3f_threads -lfftw3f -lm
 * Usage: hio_fftw [-e] [-t threads] n [n ...]     (one JSON line per size and operation on stdout)
 */
#include <fftw3.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* modulus projection: m[i] < 0 marks an unmeasured pixel */
static double project(fftwf_complex *f, const float *m, long n) {
	const float inv = 1.0f / n;
	double err = 0;
#pragma omp parallel for reduction(+ : err) schedule(static)
	for (long i = 0; i < n; i++) {
		float re = f[i][0], im = f[i][1], mi = m[i];
		if (mi < 0) { f[i][0] = re * inv; f[i][1] = im * inv; continue; }
		float mag = sqrtf(re * re + im * im), d = mag - mi;
		err += d * d;
		if (mag > 0) { float s = mi / mag * inv; f[i][0] = re * s; f[i][1] = im * s; }
		else { f[i][0] = mi * inv; f[i][1] = 0; }
	}
	return err;
}

static void hio(fftwf_complex *rho, const fftwf_complex *p, const unsigned char *s, float beta, long n) {
#pragma omp parallel for schedule(static)
	for (long i = 0; i < n; i++) {
		if (s[i]) { rho[i][0] = p[i][0]; rho[i][1] = p[i][1]; }
		else { rho[i][0] -= beta * p[i][0]; rho[i][1] -= beta * p[i][1]; }
	}
}

static void er(fftwf_complex *rho, const fftwf_complex *p, const unsigned char *s, long n) {
#pragma omp parallel for schedule(static)
	for (long i = 0; i < n; i++) {
		if (s[i]) { rho[i][0] = p[i][0]; rho[i][1] = p[i][1]; }
		else { rho[i][0] = 0; rho[i][1] = 0; }
	}
}

int main(int argc, char **argv) {
	int threads = 2, flag = FFTW_MEASURE, a = 1;
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-e")) flag = FFTW_ESTIMATE;
		else if (!strcmp(argv[a], "-t") && a + 1 < argc) threads = atoi(argv[++a]);
	}
	if (a >= argc) { fprintf(stderr, "usage: %s [-e] [-t threads] n [n ...]\n", argv[0]); return 2; }
	fftwf_init_threads();
	fftwf_plan_with_nthreads(threads);
	omp_set_num_threads(threads);
	for (; a < argc; a++) {
		const int d = atoi(argv[a]);
		const long n = (long)d * d * d;
		fftwf_complex *rho = fftwf_alloc_complex(n), *p = fftwf_alloc_complex(n);
		float *m = malloc(n * sizeof(float));
		unsigned char *s = malloc(n);
		double t0 = now_ms();
		fftwf_plan fwd = fftwf_plan_dft_3d(d, d, d, rho, p, FFTW_FORWARD, flag);
		fftwf_plan bwd = fftwf_plan_dft_3d(d, d, d, p, p, FFTW_BACKWARD, flag);
		double plan_ms = now_ms() - t0;
		/* object: a centred cube of side d/4 with a smooth phase; support: centred cube of side d/2;
		   measured amplitude = |FFT(object)|, with a 3x3x3 "beam stop" of unmeasured pixels at zero frequency */
		srand(1);
		for (long i = 0; i < n; i++) {
			int z = i / ((long)d * d), y = (i / d) % d, x = i % d;
			int in = abs(z - d / 2) < d / 8 && abs(y - d / 2) < d / 8 && abs(x - d / 2) < d / 8;
			float ph = 0.3f * x / d + 0.2f * y / d;
			rho[i][0] = in ? cosf(ph) : 0; rho[i][1] = in ? sinf(ph) : 0;
			s[i] = abs(z - d / 2) < d / 4 && abs(y - d / 2) < d / 4 && abs(x - d / 2) < d / 4;
		}
		fftwf_execute_dft(fwd, rho, p);
		for (long i = 0; i < n; i++) m[i] = sqrtf(p[i][0] * p[i][0] + p[i][1] * p[i][1]);
		double sum_m2 = 0;
		for (int z = -1; z <= 1; z++) for (int y = -1; y <= 1; y++) for (int x = -1; x <= 1; x++)
			m[(((z + d) % d) * (long)d + (y + d) % d) * d + (x + d) % d] = -1;
		for (long i = 0; i < n; i++) if (m[i] >= 0) sum_m2 += (double)m[i] * m[i];
		for (long i = 0; i < n; i++) { rho[i][0] = (float)rand() / RAND_MAX * s[i]; rho[i][1] = (float)rand() / RAND_MAX * s[i]; }
		const int reps = d <= 64 ? 60 : d <= 128 ? 30 : 12;
		double *t = malloc(reps * sizeof(double)), chi2 = 0;
		for (int op = 0; op < 3; op++) {
			for (int r = -3; r < reps; r++) {
				double t1 = now_ms();
				if (op == 2) { fftwf_execute_dft(fwd, rho, p); fftwf_execute_dft(bwd, p, p); }
				else {
					fftwf_execute_dft(fwd, rho, p);
					chi2 = project(p, m, n) / sum_m2;
					fftwf_execute_dft(bwd, p, p);
					if (op == 0) hio(rho, (const fftwf_complex *)p, s, 0.9f, n);
					else er(rho, (const fftwf_complex *)p, s, n);
				}
				if (r >= 0) t[r] = now_ms() - t1;
			}
			qsort(t, reps, sizeof(double), cmp);
			printf("{\"op\":\"%s\",\"backend\":\"c-fftw\",\"n\":%d,\"threads\":%d,\"ms_median\":%.3f,\"ms_min\":%.3f,\"reps\":%d,\"plan\":\"%s\",\"plan_ms\":%.0f,\"chi2_last\":%.4g}\n",
				op == 0 ? "hio" : op == 1 ? "er" : "fft_pair", d, threads, t[reps / 2], t[0], reps, flag == FFTW_ESTIMATE ? "estimate" : "measure", plan_ms, chi2);
			fflush(stdout);
		}
		fftwf_destroy_plan(fwd); fftwf_destroy_plan(bwd);
		fftwf_free(rho); fftwf_free(p); free(m); free(s); free(t);
	}
	fftwf_cleanup_threads();
	return 0;
}
