"""Trains the plugin's CDINN network with PyTorch (GPU when there is one) on crystals drawn on the fly by crystals.py,
and writes a model folder (model.json + weights.npz) that Fiji's Predict and Reconstruct load like their own:

    python3 tools/pytorch/train_cdinn.py --rank 3 --size 32 --base 8 --depth 3 --steps 20000 --batch 32 --out my-3d
    Reconstruct ... mode="nn+refine" model="my-3d"

The losses are the plugin's "combined" loss (sc.fiji.cdi.nn.train.Losses, PhysicsLoss): the physics loss
mean |Ŷ − Y| over measured pixels, Ŷ = |FFT(A·exp(iφ))| normalised by its maximum over them, plus the supervised
loss, mean |Â − A| + 1 − |⟨exp(i(φ̂ − φ))⟩| inside the true support, the smaller of the values against the truth
and its twin. Adam, each gradient element clipped to ±0.1 (NetworkTrainer.CLIP_GRADIENT), the learning rate
halved every --halve-every steps. Every batch is new crystals, so there are no epochs and no over-fitting to a set;
a checkpoint (weights + optimiser + step) is written every --checkpoint-every steps and a run resumes from it;
the model folder gets the weights of the best validation correlation (on a fixed set of the same generator) unless --last.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdinn  # noqa: E402
import crystals  # noqa: E402


def twin(v, negate):
    """rho*(-r) about the box centre: index i -> (n - i) mod n on every spatial axis (Symmetry.twin)."""
    dims = tuple(range(2, v.dim()))
    t = torch.roll(torch.flip(v, dims), shifts=(1,) * len(dims), dims=dims)
    return -t if negate else t


def physics_loss(a, p, target, measured):
    dims = tuple(range(2, a.dim()))
    psi = torch.polar(a, p)
    y = torch.fft.fftshift(torch.fft.fftn(torch.fft.ifftshift(psi, dim=dims), dim=dims), dim=dims).abs()
    y = y * measured
    y = y / y.flatten(1).amax(1).clamp_min(1e-12).view(-1, *([1] * (a.dim() - 1)))
    return ((y - target).abs() * measured).sum() / measured.sum().clamp_min(1e-12)


def supervised_loss(a, p, ta, tp):
    def per_sample(ta, tp):
        s = (ta >= 0.1).float()
        la = (a - ta).abs().flatten(1).mean(1)
        d = p - tp
        ns = s.flatten(1).sum(1).clamp_min(1)
        c = (torch.cos(d) * s).flatten(1).sum(1) / ns
        sn = (torch.sin(d) * s).flatten(1).sum(1) / ns
        return la + 1 - (c * c + sn * sn + 1e-8).sqrt()
    return torch.minimum(per_sample(ta, tp), per_sample(twin(ta, False), twin(tp, True))).mean()


def _dilated_support(ta, voxels=2):
    """The truth support (amplitude >= 0.1) dilated by a box of +-voxels (Quality.AMPLITUDE_DILATION)."""
    pool = torch.nn.functional.max_pool3d if ta.dim() == 5 else torch.nn.functional.max_pool2d
    return pool((ta >= 0.1).float(), 2 * voxels + 1, stride=1, padding=voxels) > 0


def quality(a, p, ta, tp):
    """Median amplitude correlation and phase RMS over the batch as the plugin's Quality.compare measures them (the
    correlation over the truth support dilated by 2 voxels, so empty voxels do not inflate it; the phase RMS inside
    the support after the best constant offset), the better of truth and twin."""
    def pearson(x, y, m):
        m = m.flatten(1).float()
        n = m.sum(1).clamp_min(2)
        x, y = x.flatten(1), y.flatten(1)
        x = (x - (x * m).sum(1, keepdim=True) / n[:, None]) * m
        y = (y - (y * m).sum(1, keepdim=True) / n[:, None]) * m
        return (x * y).sum(1) / (x.norm(dim=1) * y.norm(dim=1)).clamp_min(1e-12)

    def phase_rms(p, tp, s):
        s = s.flatten(1).float()
        d = (p - tp).flatten(1)
        c = torch.atan2((torch.sin(d) * s).sum(1), (torch.cos(d) * s).sum(1))
        w = torch.remainder(d - c[:, None] + math.pi, 2 * math.pi) - math.pi
        return ((w * w * s).sum(1) / s.sum(1).clamp_min(1)).sqrt()

    tt, tpt = twin(ta, False), twin(tp, True)
    c1, c2 = pearson(a, ta, _dilated_support(ta)), pearson(a, tt, _dilated_support(tt))
    r1, r2 = phase_rms(p, tp, ta >= 0.1), phase_rms(p, tpt, tt >= 0.1)
    first = c1 >= c2
    return float(torch.where(first, c1, c2).median()), float(torch.where(first, r1, r2).median())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", default="cdinn", choices=["cdinn", "light"], help="network: CDINN (full-resolution decoders) or LIGHT (AutoPhaseNN-like, decoders to n/2: cheap at 64^3)")
    ap.add_argument("--rank", type=int, default=3)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--base", type=int, default=8)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--halve-every", type=int, default=0, help="steps between halvings of the learning rate (0: never)")
    ap.add_argument("--size-min", type=float, default=0.2)
    ap.add_argument("--size-max", type=float, default=0.45)
    ap.add_argument("--photons-min", type=float, default=1e5)
    ap.add_argument("--photons-max", type=float, default=1e9)
    ap.add_argument("--freeze-bn", action="store_true", help="keep BatchNorm in inference mode (its running statistics fixed), e.g. to continue a trained network")
    ap.add_argument("--finer", type=float, default=0.0, help="share of the crystals drawn twice as fine and seen through the central window of their pattern")
    ap.add_argument("--sections", type=float, default=0.0, help="2D: share of the crystals that are sections of randomly oriented 3D Wulff-like shapes (facets at any angle)")
    ap.add_argument("--systems", type=float, default=0.0, help="3D: share of the faceted crystals from other crystal systems (hexagonal, tetragonal/orthorhombic, cubic with high-index facets)")
    ap.add_argument("--hulls", type=float, default=0.0, help="share of the crystals that are irregular convex grains (the convex hull of random points: facets at any angle)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--val", type=int, default=64, help="validation crystals (a fixed set, seed + 1000)")
    ap.add_argument("--checkpoint-every", type=int, default=200)
    ap.add_argument("--minutes", type=float, default=0, help="stop (and write the model) after this many minutes (0: no limit)")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: PyTorch's default)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--name", default=None)
    ap.add_argument("--out", required=True)
    ap.add_argument("--export-from", default=None, help="write the model folder --out from another run's checkpoint.pt (e.g. while it trains) and stop")
    ap.add_argument("--init", default=None, help="start from the weights of a model folder (weights.npz of the same architecture)")
    ap.add_argument("--last", action="store_true", help="write the last weights, not those of the best validation correlation")
    args = ap.parse_args()
    last = args.last
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    dev = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else ("cpu" if args.device == "auto" else args.device))
    ckpt = args.export_from or os.path.join(args.out, "checkpoint.pt")
    st = None
    if args.export_from:
        if not os.path.exists(ckpt):
            sys.exit(f"no checkpoint {ckpt}")
        st = torch.load(ckpt, map_location=dev)
        run = argparse.Namespace(**{"kind": "cdinn", **st["args"]})  # the card describes the run that trained the weights
        run.out, run.export_from, run.name = args.out, args.export_from, args.name or run.name
        args = run
    elif os.path.exists(ckpt):
        st = torch.load(ckpt, map_location=dev)
        if any(st["args"].get(k, "cdinn" if k == "kind" else None) != getattr(args, k) for k in ("kind", "rank", "size", "base", "depth", "seed")):
            sys.exit(f"{ckpt} holds another training ({st['args']}): choose another --out or delete it")
    torch.manual_seed(args.seed)
    net = cdinn.build(args.kind, args.rank, args.size, args.base, args.depth).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    os.makedirs(args.out, exist_ok=True)
    step, history, seconds = 0, [], 0.0
    best = {"corr": -2.0, "step": 0, "net": None}
    if st is None and args.init:
        cdinn.load_weights_npz(net, args.init)
        print(f"starting from the weights of {args.init}", flush=True)
    if st is not None:
        net.load_state_dict(st["net"])
        opt.load_state_dict(st["opt"])
        step, history, seconds = st["step"], st["history"], st["seconds"]
        best = st.get("best", best)
        print(f"{'exporting' if args.export_from else 'resuming after'} step {step}", flush=True)
    vrng = np.random.default_rng(args.seed + 1000)
    val = crystals.batch(args.rank, args.size, args.val, vrng, dev, args.size_min, args.size_max, args.photons_min, args.photons_max, args.finer, getattr(args, "sections", 0.0), getattr(args, "systems", 0.0), getattr(args, "hulls", 0.0))
    rng = np.random.default_rng([args.seed, step])  # a resumed run draws new crystals, not the first ones again
    t0 = time.time() - seconds
    losses = []

    def train_mode():
        net.train()
        if args.freeze_bn:
            for mod in net.modules():
                if isinstance(mod, torch.nn.modules.batchnorm._BatchNorm):
                    mod.eval()

    def validate():
        net.eval()
        with torch.no_grad():
            x, m, ta, tp = val
            a, p = net(x)
            loss = float(physics_loss(a, p, x, m) + supervised_loss(a, p, ta, tp))
            corr, rms = quality(a, p, ta, tp)
        train_mode()
        return loss, corr, rms

    def save(final):
        if not args.export_from:
            torch.save({"net": net.state_dict(), "opt": opt.state_dict(), "step": step, "history": history, "best": best,
                        "seconds": time.time() - t0, "args": vars(args)}, ckpt + ".tmp")
            os.replace(ckpt + ".tmp", ckpt)
        if final:
            if not last and best["net"] is not None:
                # the weights of the best validation so far: the correlation swings by 0.1 between checks at a high rate
                net.load_state_dict(best["net"])
            vloss, vcorr, vrms = validate()
            def flag(k, v):  # a switch is written bare when on and left out when off
                return f"--{k.replace('_', '-')}" + ("" if isinstance(v, bool) else f" {v}")
            cmd = "python3 tools/pytorch/train_cdinn.py " + " ".join(flag(k, v) for k, v in vars(args).items()
                                                                      if v is not None and v is not False and k not in ("out", "threads", "device", "minutes", "export_from"))
            dims = "³" if args.rank == 3 else "²"
            training = {
                "loss": "COMBINED",
                "generator": "tools/pytorch/crystals.py (Wulff-like polyhedra, regular or irregularly grown, ellipsoids; inclusion, "
                             "bump, bending, dislocation, smooth and domain phases; coherence blur, Poisson noise or none, gaps)"
                             + (f"; {args.hulls:g} of the crystals irregular convex grains (hulls of random points)" if getattr(args, "hulls", 0.0) > 0 else ""),
                # the input fitting bins patterns so that crystals fill the box as these sizes do
                "dataRecipe": {"base": {"shape": "POLYHEDRON" if args.rank == 3 else "POLYGON", "sizeFraction": args.size_max, "phaseModel": "SINES_GAUSSIANS",
                                        "phaseRange": 2.0, "photons": 0.0, "edgeSigma": 1.0, "aspect": 1.0},
                               "sizeMin": args.size_min, "sizeMax": args.size_max, "phaseMin": 0.0, "phaseMax": 3.0,
                               "photonsMin": args.photons_min, "photonsMax": args.photons_max, "mixed": True, "fixedPhase": False},
                "dataSeed": args.seed, "trainSamples": step * args.batch, "validationSamples": args.val, "epochs": 1,
                "batchSize": args.batch, "learningRate": args.lr, "halveLearningRateEvery": args.halve_every,
                "optimizer": "Adam", "seconds": round(time.time() - t0, 1), "device": str(dev) + (" " + torch.cuda.get_device_name(dev) if dev.type == "cuda" else ""),
            }
            name = args.name or os.path.basename(os.path.normpath(args.out))
            cdinn.save_model_folder(net.eval(), args.out, name,
                                    f"cdinn {args.rank}D {args.size}{dims}, base {args.base}, depth {args.depth}, central window, trained with PyTorch on tools/pytorch/crystals.py",
                                    training, {"validationLoss": vloss, "validationMedianAmplitudeCorrelation": vcorr, "validationMedianPhaseRms": vrms, "steps": step,
                                               "weightsOfStep": step if last or best["net"] is None else best["step"]}, cmd)
            with open(os.path.join(args.out, "history.json"), "w") as f:
                json.dump(history, f)
            used = step if last or best["net"] is None else best["step"]
            print(f"wrote {args.out}: weights of step {used} of {step}, validation loss {vloss:.4f}, correlation {vcorr:.3f}, phase RMS {vrms:.3f} rad", flush=True)

    train_mode()
    while step < args.steps and not args.export_from:
        lr = args.lr * (0.5 ** (step // args.halve_every) if args.halve_every > 0 else 1)
        for g in opt.param_groups:
            g["lr"] = lr
        x, m, ta, tp = crystals.batch(args.rank, args.size, args.batch, rng, dev, args.size_min, args.size_max, args.photons_min, args.photons_max, args.finer, getattr(args, "sections", 0.0), getattr(args, "systems", 0.0), getattr(args, "hulls", 0.0))
        a, p = net(x)
        loss = physics_loss(a, p, x, m) + supervised_loss(a, p, ta, tp)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grads_ok = all(torch.isfinite(q.grad).all() for q in net.parameters() if q.grad is not None)
        if grads_ok:  # a non-finite gradient skips the step (as NetworkTrainer does)
            torch.nn.utils.clip_grad_value_(net.parameters(), 0.1)
            opt.step()
        losses.append(float(loss))
        step += 1
        if step % args.checkpoint_every == 0 or step == args.steps:
            vloss, vcorr, vrms = validate()
            if vcorr > best["corr"]:
                best = {"corr": vcorr, "step": step, "net": {k: v.detach().clone() for k, v in net.state_dict().items()}}
            history.append({"step": step, "train_loss": float(np.mean(losses)), "validation_loss": vloss, "validation_correlation": vcorr, "validation_phase_rms": vrms, "lr": lr, "seconds": round(time.time() - t0, 1)})
            print(json.dumps(history[-1]), flush=True)
            losses = []
            save(False)
        if args.minutes > 0 and time.time() - t0 > 60 * args.minutes:
            print(f"time limit of {args.minutes} min reached at step {step}", flush=True)
            break
    save(True)


if __name__ == "__main__":
    main()
