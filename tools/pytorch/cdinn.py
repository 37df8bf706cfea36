"""The plugin's CDINN and LIGHT networks (sc.fiji.cdi.nn.model.Networks) in PyTorch, layer for layer.

Same layers in the same order as the Java builder, so the state dict (without BatchNorm's step counters) lists
the parameters in the order of DJL's Block.getParameters(): conv weight, bias; BatchNorm gamma, beta, running
mean, running variance. save_model_folder writes them as p000, p001, ... into weights.npz beside a model.json
(format cdi-fiji-model/1); ModelFolder in the plugin loads such a folder like one of its own.
"""
import json
import math
import datetime

import numpy as np
import torch
from torch import nn


def _conv(rank, cin, cout):
    return (nn.Conv3d if rank == 3 else nn.Conv2d)(cin, cout, 3, padding=1)


def _bn(rank, c):
    # DJL BatchNorm: epsilon 1e-5, momentum 0.9 on the running statistics (PyTorch's momentum 0.1)
    return (nn.BatchNorm3d if rank == 3 else nn.BatchNorm2d)(c, eps=1e-5, momentum=0.1)


def _pair(rank, cin, cout):
    # conv3 -> ReLU -> BatchNorm, twice (CDI NN)
    return [_conv(rank, cin, cout), nn.ReLU(), _bn(rank, cout), _conv(rank, cout, cout), nn.ReLU(), _bn(rank, cout)]


class Decoder(nn.Module):
    def __init__(self, rank, base, depth, phase):
        super().__init__()
        layers = []
        cin = base << (depth - 1)
        for k in range(depth - 1, -1, -1):
            layers += _pair(rank, cin, base << k)
            layers.append(nn.Upsample(scale_factor=2, mode="nearest"))
            cin = base << k
        layers.append(_conv(rank, cin, 1))
        self.body = nn.Sequential(*layers)
        self.phase = phase

    def forward(self, x):
        y = self.body(x)
        return math.pi * torch.tanh(y) if self.phase else torch.sigmoid(y)


class CdiNN(nn.Module):
    """Diffraction amplitude (batch, 1, [z,] y, x) -> (amplitude in [0, 1], phase in (-pi, pi))."""

    def __init__(self, rank, size, base, depth, central_window=True):
        super().__init__()
        if rank not in (2, 3) or size < 8 or size & (size - 1) or (size >> depth) < 2:
            raise ValueError(f"impossible network: rank {rank}, size {size}, depth {depth}")
        self.rank, self.size, self.base, self.depth = rank, size, base, depth
        layers = []
        cin = 1
        for k in range(depth):
            layers += _pair(rank, cin, base << k)
            layers.append((nn.MaxPool3d if rank == 3 else nn.MaxPool2d)(2, 2))
            cin = base << k
        self.encoder = nn.Sequential(*layers)
        self.amplitude = Decoder(rank, base, depth, False)
        self.phase = Decoder(rank, base, depth, True)
        w = torch.zeros((size,) * rank)
        lo, hi = size // 4, size - size // 4
        w[(slice(lo, hi),) * rank] = 1
        self.register_buffer("window", w if central_window else torch.ones((size,) * rank), persistent=False)
        self.central_window = central_window

    def forward(self, x):
        f = self.encoder(x)
        return self.amplitude(f) * self.window, self.phase(f) * self.window


def _unit(rank, cin, cout, stride):
    # conv3 (stride) -> LeakyReLU(0.01) -> BatchNorm (Networks.convUnit with leaky = true)
    return [(nn.Conv3d if rank == 3 else nn.Conv2d)(cin, cout, 3, stride=stride, padding=1), nn.LeakyReLU(0.01), _bn(rank, cout)]


class LightDecoder(nn.Module):
    """Networks.lightDecoder: (up x2, unit) for k = depth-1 .. 1, zero-pad n/4 (n/2 -> n), one conv to 1 channel."""

    def __init__(self, rank, size, base, depth, phase):
        super().__init__()
        layers = []
        cin = min(base << depth, 256)
        for k in range(depth - 1, 0, -1):
            layers.append(nn.Upsample(scale_factor=2, mode="nearest"))
            layers += _unit(rank, cin, min(base << k, 256), 1)
            cin = min(base << k, 256)
        self.body = nn.Sequential(*layers)
        self.pad = size // 4
        self.out = (nn.Conv3d if rank == 3 else nn.Conv2d)(cin, 1, 3, padding=1)
        self.phase = phase

    def forward(self, x):
        y = self.out(nn.functional.pad(self.body(x), (self.pad,) * (2 * (x.dim() - 2))))
        return math.pi * torch.tanh(y) if self.phase else torch.sigmoid(y)


class Light(nn.Module):
    """The plugin's LIGHT network (Networks, kind LIGHT), AutoPhaseNN-like and cheap at 64^3: a full-resolution unit,
    then stride-2 units to n/2^depth; each decoder up-samples back to n/2 only and is zero-padded to n (the object of
    an oversampled pattern fills at most the central half), so no layer with features runs at full resolution
    after the first. Same interface and parameter order (DJL's) as CdiNN."""

    def __init__(self, rank, size, base, depth, central_window=True):
        super().__init__()
        if rank not in (2, 3) or size < 8 or size & (size - 1) or depth < 1 or (size >> depth) < 1:
            raise ValueError(f"impossible network: rank {rank}, size {size}, depth {depth}")
        self.rank, self.size, self.base, self.depth = rank, size, base, depth
        layers = _unit(rank, 1, base, 1)
        for k in range(1, depth + 1):
            layers += _unit(rank, min(base << (k - 1), 256), min(base << k, 256), 2)
        self.encoder = nn.Sequential(*layers)
        self.amplitude = LightDecoder(rank, size, base, depth, False)
        self.phase = LightDecoder(rank, size, base, depth, True)
        w = torch.zeros((size,) * rank)
        lo, hi = size // 4, size - size // 4
        w[(slice(lo, hi),) * rank] = 1
        self.register_buffer("window", w if central_window else torch.ones((size,) * rank), persistent=False)
        self.central_window = central_window

    kind = "LIGHT"

    def forward(self, x):
        f = self.encoder(x)
        return self.amplitude(f) * self.window, self.phase(f) * self.window


CdiNN.kind = "CDINN"


def build(kind, rank, size, base, depth):
    """The network of a card's architecture kind (CDINN or LIGHT)."""
    if kind.upper() == "CDINN":
        return CdiNN(rank, size, base, depth)
    if kind.upper() == "LIGHT":
        return Light(rank, size, base, depth)
    raise ValueError(f"unknown network kind {kind!r}: expected CDINN or LIGHT")


def parameters_in_djl_order(net):
    """The state dict without BatchNorm's num_batches_tracked: DJL's parameter order and shapes."""
    return [(k, v) for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")]


def load_weights_npz(net, folder):
    """Sets net's weights from a model folder's weights.npz (p000, p001, ... in DJL's order), as written below."""
    import os
    with np.load(os.path.join(folder, "weights.npz")) as z:
        arrays = [z[f"p{i:03d}"] for i in range(len(z.files))]
    params = parameters_in_djl_order(net)
    if len(arrays) != len(params):
        raise ValueError(f"{folder}/weights.npz holds {len(arrays)} arrays, this network has {len(params)}: another architecture")
    state = net.state_dict()
    for (k, v), a in zip(params, arrays):
        if tuple(a.shape) != tuple(v.shape):
            raise ValueError(f"{folder}/weights.npz: {k} is {a.shape}, expected {tuple(v.shape)}")
        state[k] = torch.from_numpy(a).to(v.dtype)
    net.load_state_dict(state)


def save_model_folder(net, folder, name, description, training, validation, reproduce):
    """weights.npz (p000, p001, ... in DJL's order) and model.json (cdi-fiji-model/1) into folder."""
    import os
    os.makedirs(folder, exist_ok=True)
    arrays = {f"p{i:03d}": v.detach().cpu().float().numpy() for i, (_, v) in enumerate(parameters_in_djl_order(net))}
    np.savez(os.path.join(folder, "weights.npz"), **arrays)
    # trainable values, as ModelFolder.parameterCount counts them (not BatchNorm's running statistics)
    count = sum(int(np.prod(v.shape)) for k, v in parameters_in_djl_order(net) if not k.endswith(("running_mean", "running_var")))
    card = {
        "format": "cdi-fiji-model/1",
        "name": name,
        "description": description,
        "architecture": {"kind": net.kind, "rank": net.rank, "inputSize": net.size, "baseChannels": net.base,
                         "depth": net.depth, "centralWindow": net.central_window},
        "parameterCount": count,
        "supportThreshold": 0.1,
        "training": training,
        "validation": validation,
        "software": "tools/pytorch (PyTorch " + torch.__version__ + ")",
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "reproduce": reproduce,
        "fineTuning": [],
    }
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(card, f, indent=2)
