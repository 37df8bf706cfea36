"""Checks the lab-frame geometry of a Bragg reconstruction with crystallography alone: the facets of a gold
(fcc) nanocrystal are {111}, {100} (and sometimes {110}) planes, so in the right lab frame the normals of its
large facets are, up to one rotation, low-index directions. A wrong geometry (e.g. a rocking direction of the wrong
sign) shears the crystal obliquely, and its facets then miss those directions by many degrees.

Usage: python3 docs/real-data/facet_angles.py results-scan54 [name]
Reads <name>_strain_support.tif (the support in the lab frame that Strain writes, isotropic voxels) and prints,
for the largest facets of its convex hull, the angle to the nearest direction of the best-rotated set of the 26
{100}/{110}/{111} directions. Needs numpy, scipy and tifffile."""
import itertools
import sys

import numpy as np
import tifffile
from scipy.linalg import expm
from scipy.spatial import ConvexHull


def facets(points, min_share=0.02, max_facets=16, within_deg=10):
    """(area, unit normal) of the hull's large facets: triangles grouped greedily by normal, largest first."""
    hull = ConvexHull(points)
    normals = hull.equations[:, :3]
    areas = np.array([np.linalg.norm(np.cross(points[s[1]] - points[s[0]], points[s[2]] - points[s[0]])) / 2 for s in hull.simplices])
    used = np.zeros(len(areas), bool)
    groups = []
    for i in np.argsort(-areas):
        if used[i]:
            continue
        m = (normals @ normals[i] > np.cos(np.radians(within_deg))) & ~used
        used |= m
        v = (normals[m] * areas[m][:, None]).sum(0)
        groups.append((areas[m].sum(), v / np.linalg.norm(v)))
    groups.sort(key=lambda g: -g[0])
    return [g for g in groups if g[0] > min_share * areas.sum()][:max_facets], areas.sum()


def best_rotation(normals, weights, seed=0):
    """The rotation of the 26 low-index directions that brings them closest to the normals (area-weighted mean angle)."""
    dirs = np.array([np.array(v, float) / np.linalg.norm(v) for v in itertools.product((-1, 0, 1), repeat=3) if any(v)])
    rng = np.random.default_rng(seed)

    def error(r):
        cos = (normals @ (r @ dirs.T)).max(1).clip(-1, 1)
        return (np.degrees(np.arccos(cos)) * weights).sum() / weights.sum()

    best_r, best_e = np.eye(3), error(np.eye(3))
    for _ in range(20000):  # random starts (uniform rotations from unit quaternions)
        w, x, y, z = rng.normal(size=4) / 1.0
        n = np.sqrt(w * w + x * x + y * y + z * z)
        w, x, y, z = w / n, x / n, y / n, z / n
        r = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                      [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                      [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
        e = error(r)
        if e < best_e:
            best_r, best_e = r, e
    for scale in (0.05, 0.02, 0.01, 0.005):  # local refinement
        for _ in range(300):
            d = rng.normal(size=3) * scale
            r = expm(np.array([[0, -d[2], d[1]], [d[2], 0, -d[0]], [-d[1], d[0], 0]])) @ best_r
            e = error(r)
            if e < best_e:
                best_r, best_e = r, e
    cos = (normals @ (best_r @ dirs.T)).max(1).clip(-1, 1)
    return best_e, np.degrees(np.arccos(cos))


def main():
    folder, name = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "scan54"
    support = tifffile.imread(f"{folder}/{name}_strain_support.tif") > 0  # isotropic lab-frame voxels: angles need no scale
    groups, total = facets(np.argwhere(support).astype(float))
    weights = np.array([g[0] for g in groups])
    mean, per = best_rotation(np.array([g[1] for g in groups]), weights)
    print(f"{len(groups)} facets ({weights.sum() / total:.0%} of the hull's area); area-weighted mean angle to the nearest "
          f"direction of the best-rotated {{100}}/{{110}}/{{111}} set: {mean:.2f} deg; per facet, largest first: "
          + ", ".join(f"{p:.1f}" for p in per))


if __name__ == "__main__":
    main()
