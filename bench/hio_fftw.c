/*
 * C + FFTW reference for one ER / HIO iteration of phase retrieval, the data flow of the Java backends
 * (sc.fiji.cdi.phasing.fftw.FftwBackend): forward FFT rho -> F out of place, modulus projection of F in place
 * (M.F/|F| where measured, F where not, 1/N folded in, chi^2 = sum(|F|-M)^2 / sum M^2 in the same pass),
 * backward FFT in place, then the ER or HIO update of rho with the support. Single precision, FFTW_MEASURE
 * plans (or FFTW_ESTIMATE with -e), FFTW threads plus OpenMP elementwise loops.
 *
 * With -g z,y,x it times instead the whole iteration of the end-to-end benchmark (sc.fiji.cdi.bench.EndToEndBenchmark)
 * on that grid: the HIO iteration above plus cohere's shrink-wrap every iteration (|rho| blurred by a periodic
 * separable Gaussian, sigma = 1 voxel, radius 3, then support = [blur >= 0.1 max]); this is the C floor of the
 * end-to-end goal on the machine that runs it.
 *
 * Build: gcc -O3 -march=native -fopenmp hio_fftw.c -o hio_fftw -lfftw3f_threads -lfftw3f -lm
 * Usage: hio_fftw [-e] [-t threads] n [n ...]     (one JSON line per size and operation on stdout)
 *        hio_fftw [-e] [-t threads] -g z,y,x       (one JSON line: op "iteration_shrinkwrap")
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

/* forward plan rho -> p (out of place) and backward plan p -> p (in place); returns the planning time in ms */
static double plan_pair(int nz, int ny, int nx, fftwf_complex *rho, fftwf_complex *p, int flag, fftwf_plan *fwd, fftwf_plan *bwd) {
	const double t0 = now_ms();
	*fwd = fftwf_plan_dft_3d(nz, ny, nx, rho, p, FFTW_FORWARD, flag);
	*bwd = fftwf_plan_dft_3d(nz, ny, nx, p, p, FFTW_BACKWARD, flag);
	return now_ms() - t0;
}

/* the test problem: object a centred box of a quarter of each axis with a smooth phase, support a centred box of
   half of each axis, measured amplitude m = |FFT(object)| (with a 3x3x3 "beam stop" of unmeasured pixels at zero
   frequency when asked), then rho = a random start inside the support; returns sum m^2 over measured pixels */
static double make_problem(int nz, int ny, int nx, fftwf_plan fwd, fftwf_complex *rho, fftwf_complex *p, float *m, unsigned char *s, int beam_stop) {
	const long n = (long)nz * ny * nx;
	srand(1);
	for (long i = 0; i < n; i++) {
		int z = i / ((long)ny * nx), y = (i / nx) % ny, x = i % nx;
		int in = abs(z - nz / 2) < nz / 8 && abs(y - ny / 2) < ny / 8 && abs(x - nx / 2) < nx / 8;
		float ph = 0.3f * x / nx + 0.2f * y / ny;
		rho[i][0] = in ? cosf(ph) : 0; rho[i][1] = in ? sinf(ph) : 0;
		s[i] = abs(z - nz / 2) < nz / 4 && abs(y - ny / 2) < ny / 4 && abs(x - nx / 2) < nx / 4;
	}
	fftwf_execute_dft(fwd, rho, p);
	for (long i = 0; i < n; i++) m[i] = sqrtf(p[i][0] * p[i][0] + p[i][1] * p[i][1]);
	if (beam_stop)
		for (int z = -1; z <= 1; z++) for (int y = -1; y <= 1; y++) for (int x = -1; x <= 1; x++)
			m[(((z + nz) % nz) * (long)ny + (y + ny) % ny) * nx + (x + nx) % nx] = -1;
	double sum_m2 = 0;
	for (long i = 0; i < n; i++) if (m[i] >= 0) sum_m2 += (double)m[i] * m[i];
	for (long i = 0; i < n; i++) { rho[i][0] = (float)rand() / RAND_MAX * s[i]; rho[i][1] = (float)rand() / RAND_MAX * s[i]; }
	return sum_m2;
}

/* shrink-wrap blur: periodic separable Gaussian, sigma 1, radius 3 (GaussianBlur.radius in the Java code) */
#define R 3
static void blur_x(const float *in, float *out, int nz, int ny, int nx, const float *k) {
#pragma omp parallel for schedule(static)
	for (int z = 0; z < nz; z++) {
		float row[nx + 2 * R];
		for (int y = 0; y < ny; y++) {
			const float *a = in + ((long)z * ny + y) * nx;
			float *o = out + ((long)z * ny + y) * nx;
			for (int x = 0; x < nx + 2 * R; x++) row[x] = a[(x - R + nx) % nx];
			for (int x = 0; x < nx; x++) {
				float v = 0;
				for (int j = 0; j <= 2 * R; j++) v += k[j] * row[x + j];
				o[x] = v;
			}
		}
	}
}

/* along y (plane = rows of nx) or z (plane = ny*nx): out[p] = sum_j k[j] in[p + (j - R)] periodically */
static void blur_outer(const float *in, float *out, int planes, long plane, int outer, const float *k) {
#pragma omp parallel for schedule(static)
	for (int q = 0; q < outer * planes; q++) {
		const int o = q / planes, p = q % planes;
		float *dst = out + ((long)o * planes + p) * plane;
		for (long i = 0; i < plane; i++) dst[i] = 0;
		for (int j = 0; j <= 2 * R; j++) {
			const float *src = in + ((long)o * planes + (p + j - R + planes) % planes) * plane;
			const float w = k[j];
			for (long i = 0; i < plane; i++) dst[i] += w * src[i];
		}
	}
}

/* cohere's shrink-wrap: support = [G * |rho| >= threshold * max]; returns the support size */
static long shrink_wrap(const fftwf_complex *rho, float *w, float *t, unsigned char *s, int nz, int ny, int nx, float threshold) {
	const long n = (long)nz * ny * nx;
	float k[2 * R + 1], sum = 0;
	for (int j = 0; j <= 2 * R; j++) sum += k[j] = expf(-0.5f * (j - R) * (j - R));
	for (int j = 0; j <= 2 * R; j++) k[j] /= sum;
#pragma omp parallel for schedule(static)
	for (long i = 0; i < n; i++) w[i] = sqrtf(rho[i][0] * rho[i][0] + rho[i][1] * rho[i][1]);
	blur_x(w, t, nz, ny, nx, k);
	blur_outer(t, w, ny, nx, nz, k);        /* y */
	blur_outer(w, t, nz, (long)ny * nx, 1, k); /* z */
	float max = 0;
#pragma omp parallel for reduction(max : max) schedule(static)
	for (long i = 0; i < n; i++) max = t[i] > max ? t[i] : max;
	long kept = 0;
	const float level = threshold * max;
#pragma omp parallel for reduction(+ : kept) schedule(static)
	for (long i = 0; i < n; i++) kept += s[i] = t[i] >= level;
	return kept;
}

/* -g: the end-to-end iteration (HIO + shrink-wrap) on a z,y,x grid */
static int end_to_end(int nz, int ny, int nx, int threads, int flag) {
	const long n = (long)nz * ny * nx;
	fftwf_complex *rho = fftwf_alloc_complex(n), *p = fftwf_alloc_complex(n);
	float *m = malloc(n * sizeof(float)), *w = malloc(n * sizeof(float)), *t = malloc(n * sizeof(float));
	unsigned char *s = malloc(n);
	fftwf_plan fwd, bwd;
	const double plan_ms = plan_pair(nz, ny, nx, rho, p, flag, &fwd, &bwd);
	const double sum_m2 = make_problem(nz, ny, nx, fwd, rho, p, m, s, 0);
	const int reps = 10;
	double times[reps], chi2 = 0;
	long kept = 0;
	for (int r = -3; r < reps; r++) {
		double t1 = now_ms();
		fftwf_execute_dft(fwd, rho, p);
		chi2 = project(p, m, n) / sum_m2;
		fftwf_execute_dft(bwd, p, p);
		hio(rho, (const fftwf_complex *)p, s, 0.9f, n);
		kept = shrink_wrap((const fftwf_complex *)rho, w, t, s, nz, ny, nx, 0.1f);
		if (r >= 0) times[r] = now_ms() - t1;
	}
	qsort(times, reps, sizeof(double), cmp);
	printf("{\"op\":\"iteration_shrinkwrap\",\"backend\":\"c-fftw\",\"grid\":\"%dx%dx%d\",\"threads\":%d,\"ms_median\":%.3f,\"ms_min\":%.3f,\"reps\":%d,\"plan\":\"%s\",\"plan_ms\":%.0f,\"seconds_620\":%.1f,\"chi2_last\":%.4g,\"support_last\":%ld}\n",
		nz, ny, nx, threads, times[reps / 2], times[0], reps, flag == FFTW_ESTIMATE ? "estimate" : "measure", plan_ms, 620 * times[reps / 2] / 1000, chi2, kept);
	fftwf_destroy_plan(fwd); fftwf_destroy_plan(bwd);
	fftwf_free(rho); fftwf_free(p); free(m); free(w); free(t); free(s);
	return 0;
}

int main(int argc, char **argv) {
	int threads = 2, flag = FFTW_MEASURE, a = 1, gz = 0, gy = 0, gx = 0;
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-e")) flag = FFTW_ESTIMATE;
		else if (!strcmp(argv[a], "-t") && a + 1 < argc) threads = atoi(argv[++a]);
		else if (!strcmp(argv[a], "-g") && a + 1 < argc && sscanf(argv[++a], "%d,%d,%d", &gz, &gy, &gx) != 3) {
			fprintf(stderr, "-g expects z,y,x, got %s\n", argv[a]);
			return 2;
		}
	}
	if (a >= argc && gz == 0) { fprintf(stderr, "usage: %s [-e] [-t threads] n [n ...] | -g z,y,x\n", argv[0]); return 2; }
	fftwf_init_threads();
	fftwf_plan_with_nthreads(threads);
	omp_set_num_threads(threads);
	if (gz > 0) {
		if (gy <= 0 || gx <= 0 || a < argc) { fprintf(stderr, "-g z,y,x needs three positive sizes and no other size arguments\n"); return 2; }
		return end_to_end(gz, gy, gx, threads, flag);
	}
	for (; a < argc; a++) {
		const int d = atoi(argv[a]);
		const long n = (long)d * d * d;
		fftwf_complex *rho = fftwf_alloc_complex(n), *p = fftwf_alloc_complex(n);
		float *m = malloc(n * sizeof(float));
		unsigned char *s = malloc(n);
		fftwf_plan fwd, bwd;
		const double plan_ms = plan_pair(d, d, d, rho, p, flag, &fwd, &bwd);
		const double sum_m2 = make_problem(d, d, d, fwd, rho, p, m, s, 1);
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
