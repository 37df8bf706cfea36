"""Writes the PyTorch/DJL parity fixtures of the plugin's tests (src/test/resources/torch-parity/): a tiny CDINN and a tiny LIGHT network in 2D
and 3D with random weights and random BatchNorm statistics, saved as a model folder (model.json + weights.npz), one
random input and what PyTorch computes for it in inference mode. TorchWeightsTest loads the folder through
ModelFolder and checks that DJL computes the same. Run from the repository root:
    /usr/bin/python3 tools/pytorch/parity_fixture.py
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdinn  # noqa: E402

OUT = os.path.join("src", "test", "resources", "torch-parity")


def fixture(rank, seed, kind="cdinn"):
    torch.manual_seed(seed)
    net = cdinn.build(kind, rank, 16, 2, 2)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.BatchNorm3d)):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)
    net.eval()
    x = torch.rand((1, 1) + (16,) * rank)
    with torch.no_grad():
        a, p = net(x)
    folder = os.path.join(OUT, f"{rank}d" if kind == "cdinn" else f"{kind}-{rank}d")
    cdinn.save_model_folder(net, folder, f"torch-parity-{os.path.basename(folder)}", "random weights: the PyTorch/DJL parity fixture",
                            {"loss": "none (random weights)", "device": "cpu"}, {}, "/usr/bin/python3 tools/pytorch/parity_fixture.py")
    np.save(os.path.join(folder, "input.npy"), x[0, 0].numpy().astype(np.float32))
    np.save(os.path.join(folder, "expected_amplitude.npy"), a[0, 0].numpy().astype(np.float32))
    np.save(os.path.join(folder, "expected_phase.npy"), p[0, 0].numpy().astype(np.float32))
    print(folder, "amplitude range", float(a.min()), float(a.max()), "phase range", float(p.min()), float(p.max()))


if __name__ == "__main__":
    fixture(2, 1)
    fixture(3, 2)
    fixture(2, 3, "light")
    fixture(3, 4, "light")
