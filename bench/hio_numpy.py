#!/usr/bin/python3
"""cohere-style numpy reference for one ER / HIO iteration (what cohere does with its numpy library):
F = fftn(rho); ratio = M/|F| where measured (1 elsewhere); rho' = ifftn(F*ratio);
HIO: rho = where(support, rho', rho - beta*rho'); ER: rho = where(support, rho', 0);
chi^2 = sum((|F| - M)^2) / sum(M^2) over measured pixels. numpy's pocketfft is single-threaded and computes in
complex128. Same problem as bench/hio_fftw.c. One JSON line per size and operation.

Usage: /usr/bin/python3 hio_numpy.py [--pyfftw THREADS] n [n ...]
"""
import json
import sys
import time

import numpy as np


def problem(d):
    z, y, x = np.meshgrid(np.arange(d), np.arange(d), np.arange(d), indexing="ij")
    inside = (abs(z - d // 2) < d // 8) & (abs(y - d // 2) < d // 8) & (abs(x - d // 2) < d // 8)
    ph = 0.3 * x / d + 0.2 * y / d
    obj = np.where(inside, np.exp(1j * ph), 0).astype(np.complex64)
    support = (abs(z - d // 2) < d // 4) & (abs(y - d // 2) < d // 4) & (abs(x - d // 2) < d // 4)
    m = np.abs(np.fft.fftn(obj)).astype(np.float32)
    measured = np.ones(m.shape, bool)
    for a in (-1, 0, 1):
        for b in (-1, 0, 1):
            for c in (-1, 0, 1):
                measured[a, b, c] = False
    rng = np.random.default_rng(1)
    start = (rng.random(m.shape, np.float32) + 1j * rng.random(m.shape, np.float32)).astype(np.complex64) * support
    return m, measured, support, start


def main(argv):
    fftn, ifftn, label = np.fft.fftn, np.fft.ifftn, "numpy"
    if len(argv) > 1 and argv[0] == "--pyfftw":
        import pyfftw.interfaces.numpy_fft as pf
        import pyfftw.interfaces.cache
        pyfftw.interfaces.cache.enable()
        t = int(argv[1])
        fftn = lambda a: pf.fftn(a, threads=t)
        ifftn = lambda a: pf.ifftn(a, threads=t)
        label = "pyfftw"
        argv = argv[2:]
    for d in map(int, argv):
        m, measured, support, start = problem(d)
        sum_m2 = float(np.sum(m[measured].astype(np.float64) ** 2))
        reps = 10 if d <= 64 else 5 if d <= 128 else 3
        for op in ("hio", "er"):
            rho = start.copy()
            times = []
            for r in range(-1, reps):
                t0 = time.perf_counter()
                f = fftn(rho)
                mod = np.abs(f)
                chi2 = float(np.sum(((mod - m) ** 2)[measured])) / sum_m2
                ratio = np.where(measured & (mod > 0), m / np.where(mod > 0, mod, 1), 1)
                proj = ifftn(f * ratio)
                rho = np.where(support, proj, rho - 0.9 * proj) if op == "hio" else np.where(support, proj, 0)
                if r >= 0:
                    times.append((time.perf_counter() - t0) * 1e3)
            times.sort()
            print(json.dumps({"op": op, "backend": label, "n": d, "threads": 1 if label == "numpy" else t,
                              "ms_median": round(times[len(times) // 2], 3), "ms_min": round(times[0], 3),
                              "reps": reps, "chi2_last": chi2}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
