#!/usr/bin/env python3
"""Independent Bragg-CDI simulator (numpy + scipy.ndimage.gaussian_filter only).

Object: faceted convex crystal = intersection of K random half-spaces around the box
centre, amplitude 1 inside with a ~1 px linear edge ramp, and a smooth zero-mean phase
field (low-order polynomial + 1-2 Gaussian bumps) of 1-2 rad peak-to-peak inside.
Intensity: |FFT(rho)|^2, fftshifted (peak at the array centre), scaled to N photons,
blurred by a Gaussian of sigma px per axis (partial coherence, wrap mode), then Poisson.

usage: sim.py [FOLDER]  (default: ./cases)
Writes FOLDER/NAME.npy (float32 intensity) and FOLDER/NAME_truth.npy (complex64 object,
same grid, crystal centred at N//2), plus FOLDER/manifest.tsv. Written apart from the
project's simulators (docs/phasing.md, "Partial coherence").
"""
import os
import sys
import numpy as np
from scipy.ndimage import gaussian_filter

HERE = os.path.dirname(os.path.abspath(__file__))


def random_unit_vectors(rng, k, ndim):
    v = rng.normal(size=(k, ndim))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def make_crystal(shape, seed):
    rng = np.random.default_rng(seed)
    ndim = len(shape)
    n = shape[0]
    grids = np.meshgrid(*[np.arange(s) - s // 2 for s in shape], indexing="ij")
    coords = np.stack([g.astype(np.float64) for g in grids], axis=-1)  # (..., ndim)

    # target size (diameter) as fraction of box side
    frac = rng.uniform(0.25, 0.35)
    radius = 0.5 * frac * n
    for attempt in range(1000):
        k = int(rng.integers(8, 15))  # 8..14 facets
        normals = random_unit_vectors(rng, k, ndim)
        dists = radius * rng.uniform(0.85, 1.15, size=k)
        # signed distance-like field: positive inside
        sd = np.min(dists[None, :] - coords.reshape(-1, ndim) @ normals.T, axis=1)
        sd = sd.reshape(shape)
        inside = sd > 0
        # boundedness / oversampling check: extent per axis <= 0.45 n and
        # max distance from centre <= 1.6 radius (no long spikes)
        idx = np.nonzero(inside)
        ext = [int(i.max() - i.min() + 1) for i in idx]
        rmax = np.sqrt((coords[inside] ** 2).sum(axis=1)).max()
        if max(ext) <= 0.45 * n and rmax <= 1.6 * radius:
            break
    else:
        raise RuntimeError("could not draw a bounded crystal")
    amp = np.clip(sd + 0.5, 0.0, 1.0)  # ~1 px smoothed edge

    # phase field: low-order polynomial (degree <= 2) + 1-2 Gaussian bumps
    x = coords / radius  # normalised coordinates
    ph = np.zeros(shape)
    for a in range(ndim):
        ph += rng.normal() * x[..., a]
    for a in range(ndim):
        for b in range(a, ndim):
            ph += rng.normal() * x[..., a] * x[..., b]
    nb = int(rng.integers(1, 3))
    for _ in range(nb):
        c = rng.uniform(-0.5, 0.5, size=ndim)
        w = rng.uniform(0.25, 0.5)
        h = rng.choice([-1, 1]) * rng.uniform(1.0, 2.0)
        ph += h * np.exp(-((x - c) ** 2).sum(axis=-1) / (2 * w * w))
    sup = amp > 0.5
    p2p_target = rng.uniform(1.0, 2.0)
    p2p = ph[sup].max() - ph[sup].min()
    ph *= p2p_target / p2p
    ph -= np.average(ph[sup], weights=amp[sup])
    rho = amp * np.exp(1j * ph)
    info = dict(facets=k, frac=frac, ext=ext, p2p=p2p_target, bumps=nb)
    return rho.astype(np.complex64), info


def diffract(rho, photons, sigma, seed):
    # object centred at n//2 -> ifftshift puts centre at origin (pure real-space shift,
    # no extra phase ramp); fftshift puts the Bragg peak at the array centre
    F = np.fft.fftshift(np.fft.fftn(np.fft.ifftshift(rho.astype(np.complex128))))
    I = np.abs(F) ** 2
    I *= photons / I.sum()
    sig = np.atleast_1d(np.asarray(sigma, dtype=float))
    if np.any(sig > 0):
        I = gaussian_filter(I, sigma=tuple(sig) if sig.size > 1 else float(sig[0]), mode="wrap")
    rng = np.random.default_rng(seed)
    return rng.poisson(I).astype(np.float32)


CRYSTAL_SEEDS = {"c0": 1234, "c1": 98765}
SIGMAS = {
    "s0": 0.0,
    "s0.5": 0.5,
    "s1": 1.0,
    "s1.5": 1.5,
    "aniso": None,  # per-dimension below
}


def sigma_for(label, ndim):
    if label != "aniso":
        return [SIGMAS[label]] * ndim
    return [1.5, 0.5] if ndim == 2 else [1.5, 0.5, 0.5]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "cases"
    os.makedirs(out, exist_ok=True)
    rows = []
    specs = []
    for lab in SIGMAS:
        for ph in (1e8, 1e6):
            for c in ("c0", "c1"):
                specs.append((2, lab, ph, c))
    for lab in SIGMAS:
        for c in ("c0", "c1"):
            specs.append((3, lab, 1e8, c))
    crystals = {}
    for i, (nd, lab, ph, c) in enumerate(specs):
        shape = (128, 128) if nd == 2 else (64, 64, 64)
        key = (nd, c)
        if key not in crystals:
            crystals[key] = make_crystal(shape, CRYSTAL_SEEDS[c] + nd)
            print(f"{nd}D {c}: {crystals[key][1]}", file=sys.stderr)
        rho, _ = crystals[key]
        sig = sigma_for(lab, nd)
        name = f"d{nd}_{lab}_p{int(np.log10(ph))}_{c}"
        I = diffract(rho, ph, sig, seed=1000 + i)
        np.save(os.path.join(out, name + ".npy"), I)
        np.save(os.path.join(out, name + "_truth.npy"), rho)
        rows.append(f"{name}\t{nd}\t{lab}\t{ph:.0e}\t{c}\t{','.join(str(s) for s in sig)}\t{I.max():.0f}\t{I.sum():.3g}")
    with open(os.path.join(out, "manifest.tsv"), "w") as f:
        f.write("name\tdim\tsigma\tphotons\tcrystal\tsigma_zyx\tImax\tItot\n")
        f.write("\n".join(rows) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
