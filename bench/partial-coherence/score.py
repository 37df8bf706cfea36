#!/usr/bin/env python3
"""Score a reconstruction against the simulator's truth.

usage: score.py TRUTH.npy OUTDIR NAME  -> prints one TSV fragment:
  corr  phase_rms  fwhm  chi2  seconds_phasing  iterations_all  twin  shift  phase_rms_deramp  corr_sup

corr: Pearson correlation of amplitudes over the whole box, after picking the better of
      {rec, conj(rec(-r))} and an integer circular shift maximising the amplitude
      cross-correlation.
phase_rms: sqrt( sum w (dphi)^2 / sum w ), w = truth_amp * rec_amp over the truth support
      (truth amp > 0.5), dphi = wrapped (phi_rec - phi_true - c), c = weighted circular
      mean offset (global phase removed). Twin => rec phase negated (it is conj).
corr_sup: Pearson correlation restricted to the truth support (amp > 0.5) dilated by 2 px
      (box), same alignment (more discriminating than the whole box, which is mostly zeros).
phase_rms_deramp: same but additionally a weighted least-squares linear phase ramp
      removed (diagnostic only; a ramp arises from a sub-pixel peak-centring shift).
"""
import json
import os
import sys
import numpy as np
import tifffile


def load_rec(outdir, name, shape):
    a = tifffile.imread(os.path.join(outdir, f"{name}_amplitude.tif")).astype(np.float64)
    p = tifffile.imread(os.path.join(outdir, f"{name}_phase.tif")).astype(np.float64)
    a = a.reshape([s for s in a.shape if s != 1] if a.ndim > len(shape) else a.shape)
    p = p.reshape(a.shape)
    rec = a * np.exp(1j * p)
    if rec.shape != tuple(shape):
        # centre crop / pad to the truth grid
        out = np.zeros(shape, complex)
        src, dst = [], []
        for n_r, n_t in zip(rec.shape, shape):
            m = min(n_r, n_t)
            src.append(slice((n_r - m) // 2, (n_r - m) // 2 + m))
            dst.append(slice((n_t - m) // 2, (n_t - m) // 2 + m))
        out[tuple(dst)] = rec[tuple(src)]
        rec = out
    return rec


def twin(rec):
    # conj(rho(-r)) with index k -> -k mod N
    t = np.conj(np.flip(rec))
    return np.roll(t, shift=1, axis=tuple(range(rec.ndim)))


def best_shift(ref, mov):
    xc = np.fft.ifftn(np.fft.fftn(ref) * np.conj(np.fft.fftn(mov))).real
    idx = np.unravel_index(np.argmax(xc), xc.shape)
    return tuple(int(i) for i in idx)


def pearson(a, b):
    a = a.ravel() - a.mean()
    b = b.ravel() - b.mean()
    return float((a @ b) / np.sqrt((a @ a) * (b @ b)))


def phase_rms(truth, rec, deramp=False):
    ta = np.abs(truth)
    sup = ta > 0.5
    w = (ta * np.abs(rec))[sup]
    if w.sum() <= 0:
        return float("nan")
    d = np.angle(rec[sup] * np.conj(truth[sup]))
    c = np.angle(np.sum(w * np.exp(1j * d)))
    d = np.angle(np.exp(1j * (d - c)))
    if deramp:
        coords = np.stack(np.nonzero(sup), axis=1).astype(float)
        X = np.column_stack([np.ones(len(d)), coords - coords.mean(0)])
        sw = np.sqrt(w)
        for _ in range(3):  # iterate: fit on wrapped residual, re-wrap
            beta, *_ = np.linalg.lstsq(X * sw[:, None], d * sw, rcond=None)
            d = np.angle(np.exp(1j * (d - X @ beta)))
    return float(np.sqrt(np.sum(w * d * d) / np.sum(w)))


def score(truth_path, outdir, name):
    truth = np.load(truth_path).astype(np.complex128)
    rec = load_rec(outdir, name, truth.shape)
    ta = np.abs(truth)
    best = None
    for is_twin, cand in ((False, rec), (True, twin(rec))):
        sh = best_shift(ta, np.abs(cand))
        al = np.roll(cand, sh, axis=tuple(range(cand.ndim)))
        c = pearson(ta, np.abs(al))
        if best is None or c > best[0]:
            best = (c, is_twin, sh, al)
    c, is_twin, sh, al = best
    # shifts as signed
    sh = tuple(s if s <= n // 2 else s - n for s, n in zip(sh, truth.shape))
    prms = phase_rms(truth, al)
    prms_d = phase_rms(truth, al, deramp=True)
    from scipy.ndimage import binary_dilation
    dil = binary_dilation(ta > 0.5, structure=np.ones((5,) * ta.ndim, bool))
    c_sup = pearson(ta[dil], np.abs(al)[dil])
    rep = json.load(open(os.path.join(outdir, f"{name}_report.json")))
    fwhm = rep.get("psf_fwhm_zyx")
    fwhm_s = ",".join(f"{v:.3g}" for v in fwhm) if isinstance(fwhm, list) else (str(fwhm) if fwhm is not None else "-")
    secs = rep.get("seconds", {})
    tsec = secs.get("phasing", float("nan"))
    return [f"{c:.4f}", f"{prms:.4f}", fwhm_s, f"{rep.get('final_chi2', float('nan')):.4g}",
            f"{tsec:.1f}", str(rep.get("iterations_all_starts", rep.get("iterations", "-"))),
            "twin" if is_twin else "direct", ",".join(map(str, sh)), f"{prms_d:.4f}", f"{c_sup:.4f}"]


if __name__ == "__main__":
    print("\t".join(score(*sys.argv[1:4])))
