#!/usr/bin/python3
"""Pictures for docs/real-data.md from the README's "Real data" outputs (Debian: python3-matplotlib, python3-tifffile).

usage: /usr/bin/python3 docs/real-data/make_figures.py results-scan54 docs/real-data
Writes crystal.png (amplitude and phase through the crystal's centre, three orthogonal cuts, detector frame) and
copies the error curve and the lab-frame strain figure that Reconstruct and Strain wrote.
"""
import json, shutil, sys
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import tifffile

res, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
name = "scan54"
amp = tifffile.imread(res / f"{name}_amplitude.tif").astype(float)
pha = tifffile.imread(res / f"{name}_phase.tif").astype(float)
sup = tifffile.imread(res / f"{name}_support.tif") > 0
rep = json.loads((res / f"{name}_report.json").read_text())
c = [int(round(v)) for v in np.argwhere(sup).mean(axis=0)]
ext = np.ptp(np.argwhere(sup), axis=0) + 1
half = int(max(ext) * 0.75) + 4
def cut(v, axis):
    s = [slice(max(0, c[i] - half), c[i] + half) for i in range(3)]
    s[axis] = c[axis]
    return v[tuple(s)]
names = ["rocking (z)", "detector row (y)", "detector column (x)"]
fig, ax = plt.subplots(2, 3, figsize=(10, 6.6))
for a in range(3):
    ax[0, a].imshow(cut(amp, a), cmap="gray", origin="lower")
    ax[0, a].set_title(f"amplitude, cut at {names[a]} = {c[a]}", fontsize=9)
    ph = np.where(cut(amp, a) > 0.1 * amp.max(), cut(pha, a), np.nan)
    im = ax[1, a].imshow(ph, cmap="twilight", vmin=-np.pi, vmax=np.pi, origin="lower")
    ax[1, a].set_title("phase (rad), amplitude > 0.1 max", fontsize=8)
    for r in range(2): ax[r, a].set_xticks([]); ax[r, a].set_yticks([])
fig.colorbar(im, ax=ax[1, :], shrink=0.7)
fig.suptitle(f"APS 34-ID-C scan 54 from raw frames, defaults: final χ² {rep['final_chi2']:.4g}, "
             f"{int(sup.sum())} voxels, extent {ext[0]}×{ext[1]}×{ext[2]} (z, y, x)", fontsize=10)
fig.savefig(out / "crystal.png", dpi=80)
shutil.copy(res / f"{name}_error.png", out / "error.png")
if (res / f"{name}_strain.png").exists():
    shutil.copy(res / f"{name}_strain.png", out / "strain.png")
print("support voxels", int(sup.sum()), "extent zyx", list(ext), "centre", c, "final chi2", rep["final_chi2"])
