"""Training crystals drawn on the fly in PyTorch (GPU or CPU), written independently of the plugin's Java simulator
(sc.fiji.cdi.sim) and of the held-out evaluation family (sc.fiji.cdi.bench.HeldOutCrystals, random cutting planes),
so that a network trained here is evaluated on crystals from a generator it never saw.

Shapes: Wulff-like polyhedra of an fcc crystal ({111}, {100} and optionally {110} facets at random relative
distances, as equilibrium shapes of Au/Pt nanocrystals are; Marks & Peng 2016), randomly oriented, sometimes
stretched or truncated by a substrate plane (dewetted particles), a third grown irregularly (facet distances 0.65–1.35
of the equilibrium ones), and ellipsoids; soft edges of 0.3–1 voxel.
With `systems` > 0, that share of the 3D shapes belongs to other crystal systems (hexagonal, tetragonal/orthorhombic,
cubic with high-index facets); with `hulls` > 0, that share of the shapes (2D and 3D) are irregular convex grains, the
convex hull of random points (facets at any angle and of any size).
2D: sections of the same kind (square or hexagonal facet families), and with `sections` > 0 that share of sections of
randomly oriented 3D ones (facets at the angles a zone axis gives).
Phases (radians, g·u): the field of point dilatations (inclusions), displaced regions (Gaussian bumps), bending (a quadratic term), a dislocation
(a vortex of ±1 around a line), a smooth random field, and sometimes a domain boundary (a phase step).
Patterns: |FFT|² with the peak up to a pixel off the centre along each axis (a phase ramp), sometimes blurred by partial coherence, Poisson noise at 1e5–1e9 photons (a fifth noise-free), sometimes detector
gaps or a beam stop (unmeasured pixels: 0 in the input, left out of the physics loss).
"""
import math

import numpy as np
import torch


def _rotation(rank, rng):
    q, r = np.linalg.qr(rng.normal(size=(rank, rank)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def _facet_normals(rank, rng, sections=0.0, systems=0.0):
    """Unit normals and relative distances of a Wulff-like shape in crystal axes. In 2D, a share `sections` of the
    shapes are sections of a randomly oriented 3D one: a thin crystal or a slice of a thick one seen along an arbitrary
    zone axis, whose facet angles are not those of one square or hexagonal family."""
    if rank == 2 and sections > 0 and rng.random() < sections:
        return _section_normals(rng)
    if rank == 3 and systems > 0 and rng.random() < systems:
        return _system_normals(rng)
    normals, dist = [], []
    if rank == 3:
        fams = [([(a, b, c) for a in (1, -1) for b in (1, -1) for c in (1, -1)], 1.0),
                ([(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)], rng.uniform(0.95, 1.35))]
        if rng.random() < 0.5:
            v110 = [(a, b, 0) for a in (1, -1) for b in (1, -1)] + [(a, 0, b) for a in (1, -1) for b in (1, -1)] + [(0, a, b) for a in (1, -1) for b in (1, -1)]
            fams.append((v110, rng.uniform(1.0, 1.3)))
    else:
        k = 6 if rng.random() < 0.5 else 4
        step = 2 * math.pi / k
        fams = [([(math.cos(i * step), math.sin(i * step)) for i in range(k)], 1.0)]
        if rng.random() < 0.6:
            fams.append(([(math.cos((i + 0.5) * step), math.sin((i + 0.5) * step)) for i in range(k)], rng.uniform(1.0, 1.35)))
    # growth is never perfectly symmetric; in a third of the crystals it is far from it (kinetic shapes, growth
    # under a gradient: facets at 0.7-1.4 of their equilibrium distance, some vanishing)
    spread = 0.35 if rng.random() < 0.33 else 0.07
    for vecs, d in fams:
        for v in vecs:
            v = np.asarray(v, float)
            normals.append(v / np.linalg.norm(v))
            dist.append(d * rng.uniform(1 - spread, 1 + spread))
    return np.array(normals), np.array(dist)


def _signed_family(hkl):
    """All sign and order permutations of one {hkl} (cubic symmetry), as unit vectors without repeats."""
    import itertools
    out = set()
    for p in itertools.permutations(hkl):
        for sg in itertools.product((1, -1), repeat=3):
            out.add(tuple(a * b for a, b in zip(p, sg)))
    return [v for v in out if any(v)]


def _system_normals(rng):
    """Facets of crystals that are not fcc metals: a hexagonal (wurtzite-like: {10-10} prism, {0001} basal and {10-11}
    pyramid facets, c/a 1.2-2.5), a tetragonal or orthorhombic prism (three axes of different lengths, sometimes
    bevelled by {110}/{101}/{011}), or a cubic crystal grown with high-index facets ({210}, {311}, {221}: many facets
    at angles none of the low-index families has). Facet distances spread as for the fcc shapes."""
    kind = rng.integers(3)
    fams = []
    if kind == 0:
        c = rng.uniform(1.2, 2.5)
        prism = [(math.cos(i * math.pi / 3), math.sin(i * math.pi / 3), 0.0) for i in range(6)]
        fams.append((prism, 1.0))
        fams.append(([(0.0, 0.0, 1.0), (0.0, 0.0, -1.0)], c * rng.uniform(0.6, 1.0)))
        if rng.random() < 0.7:  # pyramids: normals tilted towards c
            t = rng.uniform(0.4, 1.0)
            pyr = [(math.cos(i * math.pi / 3), math.sin(i * math.pi / 3), sz * t) for i in range(6) for sz in (1, -1)]
            fams.append((pyr, rng.uniform(1.0, 1.3) * math.sqrt(1 + t * t)))
    elif kind == 1:
        ax = rng.uniform(0.5, 1.5, size=3)
        fams += [([(1.0, 0.0, 0.0), (-1.0, 0.0, 0.0)], ax[0]), ([(0.0, 1.0, 0.0), (0.0, -1.0, 0.0)], ax[1]), ([(0.0, 0.0, 1.0), (0.0, 0.0, -1.0)], ax[2])]
        if rng.random() < 0.6:
            for i, j in ((0, 1), (0, 2), (1, 2)):
                vecs = []
                for a in (1, -1):
                    for b in (1, -1):
                        v = [0.0, 0.0, 0.0]
                        v[i], v[j] = a / ax[i], b / ax[j]
                        vecs.append(tuple(v))
                fams.append((vecs, rng.uniform(1.0, 1.4)))
    else:
        for hkl in [(2, 1, 0), (3, 1, 1), (2, 2, 1)]:
            if rng.random() < 0.6:
                fams.append((_signed_family(hkl), rng.uniform(0.95, 1.25)))
        fams.append((_signed_family((1, 0, 0)), rng.uniform(1.0, 1.3)))
        if rng.random() < 0.5:
            fams.append((_signed_family((1, 1, 1)), rng.uniform(1.0, 1.3)))
    spread = 0.35 if rng.random() < 0.33 else 0.07
    normals, dist = [], []
    for vecs, d in fams:
        for v in vecs:
            v = np.asarray(v, float)
            n = np.linalg.norm(v)
            normals.append(v / n)
            # a family's distance d is along its own normal; for vectors scaled by 1/axis (kind 1) the plane v.x = 1
            # lies at 1/|v|
            dist.append((d if kind != 1 or np.count_nonzero(v) == 1 else d / n) * rng.uniform(1 - spread, 1 + spread))
    return np.array(normals), np.array(dist)


def _section_normals(rng):
    """The polygon cut from a randomly oriented 3D Wulff-like shape by a plane near its centre: the plane z = z0 meets the
    facet n.x = d in the line n_xy.(x, y) = d - n_z z0."""
    nrm, d = _facet_normals(3, rng)
    nrm = nrm @ _rotation(3, rng).T
    z0 = rng.uniform(-0.3, 0.3) * d.min()
    lateral = np.linalg.norm(nrm[:, :2], axis=1)
    keep = lateral > 0.15  # facets nearly parallel to the plane bound the slab, not the polygon
    return nrm[keep, :2] / lateral[keep, None], (d[keep] - nrm[keep, 2] * z0) / lateral[keep]


def _coords(rank, n, device):
    ax = torch.arange(n, dtype=torch.float32, device=device) - n // 2
    return torch.stack(torch.meshgrid(*([ax] * rank), indexing="ij"))  # (rank, n, ...)


def _hull_planes(rank, rng):
    """Facets of an irregular convex crystal without a crystal system: the convex hull of 8-40 points drawn on and inside
    a randomly squashed sphere (a grain of a polycrystal, a particle grown far from equilibrium). Its facets are at any
    angle and of very different sizes, which no Wulff construction gives."""
    from scipy.spatial import ConvexHull
    k = int(rng.integers(rank + 6, 41 if rank == 3 else 16))
    p = rng.normal(size=(k, rank))
    p /= np.linalg.norm(p, axis=1, keepdims=True)
    p *= rng.uniform(0.55, 1.0, size=(k, 1)) ** (1.0 / rank) * rng.uniform(0.6, 1.0, size=rank)
    p -= p.mean(0)  # the origin inside the hull: every facet at a positive distance, the grain centred
    eq = ConvexHull(p).equations  # n.x + b <= 0 inside, n unit
    return eq[:, :rank], -eq[:, rank]


def _signed_distance(r, rank, rng, device, sections=0.0, systems=0.0, hulls=0.0):
    """A signed distance in voxels (negative inside) of a unit-sized shape; r in shape units."""
    rot = _rotation(rank, rng)
    stretch = np.eye(rank)
    if rng.random() < 0.35:
        e = rot[:, 0]
        stretch = np.eye(rank) + (rng.uniform(1.2, 1.7) - 1) * np.outer(e, e)
    hull = hulls > 0 and rng.random() < hulls
    if hull or rng.random() < 0.75:
        nrm, d = _hull_planes(rank, rng) if hull else _facet_normals(rank, rng, sections, systems)
        nrm = nrm @ rot.T
        if rng.random() < 0.3:  # a substrate plane truncates the particle
            v = rng.normal(size=rank)
            nrm = np.vstack([nrm, v / np.linalg.norm(v)])
            d = np.append(d, rng.uniform(0.4, 0.85) * d.min())
        # stretching x -> S x maps the plane n.x = d to (S^-1 n).y = d
        sinv = np.linalg.inv(stretch)
        m = nrm @ sinv
        scale = np.linalg.norm(m, axis=1)
        m, d = m / scale[:, None], d / scale
        mt = torch.tensor(m, dtype=torch.float32, device=device)
        proj = torch.einsum("kr,r...->k...", mt, r)
        return (proj - torch.tensor(d, dtype=torch.float32, device=device).view(-1, *([1] * rank))).amax(0)
    axes = rng.uniform(0.6, 1.0, size=rank)
    m = torch.tensor((np.diag(1 / axes) @ rot.T @ np.linalg.inv(stretch)), dtype=torch.float32, device=device)
    u = torch.einsum("kr,r...->k...", m, r)
    return (u.square().sum(0).sqrt() - 1) * float(axes.min())


def _phase(r, inside, size_px, rank, rng, device):
    """A phase field (radians) on coordinates r (voxels, centred) for a crystal of about size_px voxels."""
    ph = torch.zeros(r.shape[1:], device=device)
    half = size_px / 2
    pts = r[:, inside] if inside.any() else r.reshape(rank, -1)
    kinds = rng.choice(["inclusion", "bump", "bending", "dislocation", "smooth"], size=rng.integers(1, 3), replace=False, p=[0.25, 0.2, 0.2, 0.1, 0.25])
    for kind in kinds:
        if kind == "inclusion":
            for _ in range(rng.integers(1, 4)):
                c = pts[:, rng.integers(pts.shape[1])].view(-1, *([1] * rank))
                w = rng.uniform(0.12, 0.35) * size_px
                q = torch.tensor(rng.normal(size=rank), dtype=torch.float32, device=device)
                q = q / q.norm()
                d = r - c
                # x·exp(−x²/2) peaks at 1/√e ≈ 0.607 (x = 1): × 1.65 makes the drawn 0.5–2 rad the field's extreme
                ph += rng.choice([-1, 1]) * rng.uniform(0.5, 2.0) * torch.einsum("r,r...->...", q, d) / w * torch.exp(-d.square().sum(0) / (2 * w * w)) * 1.65
        elif kind == "bump":  # regions displaced along g (a strained core or shell, a local expansion): Gaussians
            for _ in range(rng.integers(1, 4)):
                c = pts[:, rng.integers(pts.shape[1])].view(-1, *([1] * rank))
                w = rng.uniform(0.1, 0.4) * size_px
                ph += rng.choice([-1, 1]) * rng.uniform(0.3, 1.6) * torch.exp(-(r - c).square().sum(0) / (2 * w * w))
        elif kind == "bending":
            rot = _rotation(rank, rng)
            e1 = torch.tensor(rot[:, 0], dtype=torch.float32, device=device)
            e2 = torch.tensor(rot[:, 1], dtype=torch.float32, device=device)
            a = rng.uniform(0.4, 2.5) * rng.choice([-1, 1])
            ph += a * (torch.einsum("r,r...->...", e1, r).square() - rng.uniform(0, 0.5) * torch.einsum("r,r...->...", e2, r).square()) / (half * half)
        elif kind == "dislocation":
            c = pts[:, rng.integers(pts.shape[1])].view(-1, *([1] * rank))
            rot = _rotation(rank, rng)
            u = torch.tensor(rot[:, 0], dtype=torch.float32, device=device)
            v = torch.tensor(rot[:, 1], dtype=torch.float32, device=device)
            d = r - c
            ph += float(rng.choice([-1, 1])) * torch.atan2(torch.einsum("r,r...->...", v, d), torch.einsum("r,r...->...", u, d))
        else:
            f = torch.zeros(r.shape[1:], device=device)
            for _ in range(6):
                k = torch.tensor(rng.normal(size=rank), dtype=torch.float32, device=device) * (2 * math.pi / size_px) * rng.uniform(0.3, 1.2)
                f += math.cos(rng.uniform(0, 2 * math.pi)) * torch.cos(torch.einsum("r,r...->...", k, r) + rng.uniform(0, 2 * math.pi))
            ph += f / f[inside].std().clamp_min(1e-6) * rng.uniform(0.2, 1.0) if inside.any() else f
    if rng.random() < 0.12:  # two domains
        q = torch.tensor(rng.normal(size=rank), dtype=torch.float32, device=device)
        c = pts[:, rng.integers(pts.shape[1])].view(-1, *([1] * rank))
        ph += rng.uniform(0.5, math.pi) * (torch.einsum("r,r...->...", q, r - c) > 0).float()
    return ph


def crystal(rank, n, rng, device, size_min=0.2, size_max=0.45, sections=0.0, systems=0.0, hulls=0.0):
    """(amplitude in [0, 1], phase in radians) of one crystal centred at n/2."""
    r = _coords(rank, n, device)
    size = rng.uniform(size_min, size_max) * n  # largest extent, voxels
    edge = rng.uniform(0.3, 1.0)
    scale = size / 2
    # the shape drawn twice from the same state: the second time scaled so that its largest extent along an axis is `size`
    state = rng.integers(1 << 62)
    sd = _signed_distance(r / scale, rank, np.random.default_rng(state), device, sections, systems, hulls)
    inside = sd < 0
    for _ in range(2):
        if not inside.any():
            break
        ext = max(float(r[a][inside].max() - r[a][inside].min() + 1) for a in range(rank))
        scale *= size / ext
        sd = _signed_distance(r / scale, rank, np.random.default_rng(state), device, sections, systems, hulls)
        inside = sd < 0
    amp = torch.sigmoid(-sd * scale / edge)
    if rng.random() < 0.3:  # a gently varying amplitude, as reconstructions of real crystals show
        k = torch.tensor(rng.normal(size=rank), dtype=torch.float32, device=device) * (2 * math.pi / size)
        amp = amp * (1 + rng.uniform(0.05, 0.2) * torch.cos(torch.einsum("r,r...->...", k, r) + rng.uniform(0, 6.3)))
    amp = amp / amp.max().clamp_min(1e-6)
    ph = _phase(r, inside, size, rank, rng, device)
    # the Bragg peak is never centred on a pixel: a shift of the pattern by s pixels per axis (|s| <= 1) is the
    # phase ramp 2*pi*s.r/n across the object
    s = torch.tensor(rng.uniform(-1, 1, size=rank), dtype=torch.float32, device=device)
    ph = ph + 2 * math.pi / n * torch.einsum("r,r...->...", s, r)
    return amp, ph


def pattern(amp, ph, rng, photons_min=1e5, photons_max=1e9):
    """(network input √I / max with unmeasured pixels 0, measured mask) for one object; peak at n/2."""
    rank = amp.dim()
    dims = tuple(range(rank))
    rho = torch.polar(amp, ph)
    f = torch.fft.fftshift(torch.fft.fftn(torch.fft.ifftshift(rho, dim=dims), dim=dims), dim=dims)
    inten = f.abs().square()
    n = amp.shape[0]
    if rng.random() < 0.3:  # partial coherence: the intensity blurred by a Gaussian of sigma pixels
        sigma = rng.uniform(0.3, 1.0)
        k = torch.fft.fftfreq(n, device=amp.device)
        g = torch.exp(-2 * (math.pi * sigma) ** 2 * sum(kk.square() for kk in torch.meshgrid(*([k] * rank), indexing="ij")))
        inten = torch.fft.ifftn(torch.fft.fftn(inten, dim=dims) * g, dim=dims).real.clamp_min(0)
    if rng.random() < 0.8:  # a fifth noise-free (the limit of a very strong scan)
        photons = 10 ** rng.uniform(math.log10(photons_min), math.log10(photons_max))
        inten = torch.poisson(inten / inten.sum() * photons)
    measured = torch.ones_like(inten)
    c = n // 2
    if rng.random() < 0.2:  # detector gaps: planes (lines in 2D) through the rocking axis
        for _ in range(rng.integers(1, 3)):
            w = int(rng.integers(1, 5))
            off = int(rng.integers(3, max(4, n // 4))) * int(rng.choice([-1, 1]))
            axis = rank - 1 - int(rng.integers(0, 2 if rank == 3 else 1)) if rank == 3 else int(rng.integers(0, 2))
            idx = [slice(None)] * rank
            idx[axis] = slice(max(0, c + off), min(n, c + off + w))
            measured[tuple(idx)] = 0
    elif rng.random() < 0.1:  # a small beam stop
        rr = sum(x.square() for x in torch.meshgrid(*([torch.arange(n, device=amp.device, dtype=torch.float32) - c] * rank), indexing="ij"))
        measured[rr <= rng.uniform(1, 2.5) ** 2] = 0
    a = inten.sqrt() * measured
    return a / a.max().clamp_min(1e-12), measured


def band_limited(amp, ph, n):
    """The crystal a detector of n pixels per axis sees: the central n of the pattern of a crystal drawn on a finer
    grid, and the object behind it (the band-limited crystal on n, amplitude scaled to a maximum of 1)."""
    rank = amp.dim()
    dims = tuple(range(rank))
    f = torch.fft.fftshift(torch.fft.fftn(torch.fft.ifftshift(torch.polar(amp, ph), dim=dims), dim=dims), dim=dims)
    lo = (amp.shape[0] - n) // 2
    f = f[tuple(slice(lo, lo + n) for _ in dims)]
    rho = torch.fft.fftshift(torch.fft.ifftn(torch.fft.ifftshift(f, dim=dims), dim=dims), dim=dims)
    a = rho.abs()
    return a / a.max().clamp_min(1e-12), rho.angle()


def batch(rank, n, count, rng, device, size_min=0.2, size_max=0.45, photons_min=1e5, photons_max=1e9, finer=0.0, sections=0.0, systems=0.0, hulls=0.0):
    """Network inputs, measured masks, true amplitudes and phases, each (count, 1, n, ...). A share `finer` of the
    crystals is drawn on a grid twice as fine and seen through the central n pixels of its pattern (a measured
    pattern is a finite window of a continuous crystal's, not the periodic DFT of a voxelised one)."""
    xs, ms, amps, phs = [], [], [], []
    for _ in range(count):
        if rng.random() < finer:
            amp, ph = band_limited(*crystal(rank, 2 * n, rng, device, size_min, size_max, sections, systems, hulls), n)
        else:
            amp, ph = crystal(rank, n, rng, device, size_min, size_max, sections, systems, hulls)
        x, m = pattern(amp, ph, rng, photons_min, photons_max)
        xs.append(x)
        ms.append(m)
        amps.append(amp)
        phs.append(ph * (amp >= 0.1))
    return tuple(torch.stack(v).unsqueeze(1) for v in (xs, ms, amps, phs))
