#!/usr/bin/python3
"""Writes the small ESRF ID01 (BLISS) fixture read by Id01BlissTest. Run once from this folder with Debian's
python3-h5py (h5py 3.7, HDF5 1.10.8); the files are committed, nothing runs at test time.

Layout (BLISS Nexus writer, as described in the BLISS documentation "data format" page and read by bcdi's
LoaderID01BLISS, cdiutils' ID01Loader and id01lib): one dataset file holding one NXentry per scan, named
"<scan>.<subscan>"; a scan's title is its command; instrument/positioners holds every motor (the scanned one as one
value per point, the others as one value); instrument/<detector> holds the frames ("data") and the detector
calibration (distance, x/y_pixel_size in m); instrument/monochromator/WaveLength (m); measurement/ holds soft links
to every detector and scanned motor. Lima writes the frames into scanNNNN/<detector>_NNNN.h5 (dataset
/entry_0000/measurement/data) and the dataset file reaches them through a virtual dataset (scan 4 here).
A sample-level file beside the dataset folder holds external links named "<dataset>_<scan>.1".

Frame values are (100*z + 10*row + col) so that order and orientation can be checked exactly.
"""
import numpy as np
import h5py

ROWS, COLS = 6, 8
HC_KEV_NM = 1.23984198


def frames(n, dtype):
    z, y, x = np.meshgrid(np.arange(n), np.arange(ROWS), np.arange(COLS), indexing="ij")
    return (100 * z + 10 * y + x).astype(dtype)


def scalar(g, name, value, units=None):
    d = g.create_dataset(name, data=value)
    if units:
        d.attrs["units"] = units
    return d


def positioners(entry, values, scanned=None):
    inst = entry["instrument"]
    pos = inst.create_group("positioners")
    pos.attrs["NX_class"] = "NXcollection"
    start = inst.create_group("start_positioners")
    start.attrs["NX_class"] = "NXcollection"
    for name, v in values.items():
        units = "keV" if name == "mononrj" else "deg"
        scalar(start, name, np.asarray(v).ravel()[0], units)
        if name == scanned:
            g = inst.create_group(name)
            g.attrs["NX_class"] = "NXpositioner"
            scalar(g, "value", np.asarray(v, dtype=np.float64), units)
            pos[name] = h5py.SoftLink(g.name + "/value")
            entry["measurement"][name] = h5py.SoftLink(g.name + "/value")
        else:
            scalar(pos, name, float(v), units)


def scan(root, number, title, n):
    e = root.create_group("%d.1" % number)
    e.attrs["NX_class"] = "NXentry"
    e["title"] = title
    e["start_time"] = "2024-03-0%dT10:00:00.000000+01:00" % number
    i = e.create_group("instrument")
    i.attrs["NX_class"] = "NXinstrument"
    m = e.create_group("measurement")
    m.attrs["NX_class"] = "NXcollection"
    m.create_dataset("elapsed_time", data=np.linspace(0, 0.5 * (n - 1), n))
    return e


def detector(entry, name, data=None, distance=None, distance_units="m", pixel=5.5e-05):
    g = entry["instrument"].create_group(name)
    g.attrs["NX_class"] = "NXdetector"
    if data is not None:
        g.create_dataset("data", data=data)
    if distance is not None:
        scalar(g, "distance", distance, distance_units)
    if pixel is not None:
        scalar(g, "x_pixel_size", pixel, "m")
        scalar(g, "y_pixel_size", pixel, "m")
    scalar(g, "dim_i", COLS)
    scalar(g, "dim_j", ROWS)
    entry["measurement"][name] = h5py.SoftLink(g.name + "/data")
    entry["measurement"].create_dataset(name + "_roi1", data=np.arange(4.0))
    return g


def mono(entry, kev):
    g = entry["instrument"].create_group("monochromator")
    g.attrs["NX_class"] = "NXmonochromator"
    scalar(g, "WaveLength", HC_KEV_NM / kev * 1e-9, "m")


with h5py.File("sample_0001/sample_0001.h5", "w") as root:
    root.attrs["NX_class"] = "NXroot"
    root.attrs["creator"] = "bliss"
    # 1: a loopscan, no motor moves: not a rocking curve
    e = scan(root, 1, "loopscan 3 0.1", 3)
    detector(e, "mpx1x4", frames(3, np.int32), 0.83)
    positioners(e, dict(mu=0.0, eta=35.0, phi=0.0, nu=1.2, delta=35.4, mononrj=8.0))
    mono(e, 8.0)
    # 2: rocking curve in eta, 4 points, every value recorded
    e = scan(root, 2, "ascan eta 35.0 35.3 3 0.5", 4)
    detector(e, "mpx1x4", frames(4, np.int32), 0.83)
    positioners(e, dict(mu=0.0, eta=[35.0, 35.1, 35.2, 35.3], phi=0.0, nu=1.2, delta=35.4, mononrj=8.0), "eta")
    mono(e, 8.0)
    # 3: rocking curve in phi at eta 12, Maxipix GaAs, distance in mm, no pixel size, energy from mononrj only
    e = scan(root, 3, "ascan phi -0.2 0.2 4 0.1", 5)
    detector(e, "mpxgaas", frames(5, np.uint16), 1200.0, "mm", None)
    positioners(e, dict(mu=0.0, eta=12.0, phi=[-0.2, -0.1, 0.0, 0.1, 0.2], nu=-2.0, delta=24.0, mononrj=9.0), "phi")
    # 4: the frames in two Lima files, reached through a virtual dataset
    e = scan(root, 4, "ascan eta 35.0 35.3 3 0.5", 4)
    layout = h5py.VirtualLayout(shape=(4, ROWS, COLS), dtype=np.int32)
    data = frames(4, np.int32)
    for k in range(2):
        name = "scan0004/mpx1x4_%04d.h5" % k
        with h5py.File("sample_0001/" + name, "w") as lima:
            lima.create_group("entry_0000/measurement").create_dataset("data", data=data[2 * k:2 * k + 2])
        layout[2 * k:2 * k + 2] = h5py.VirtualSource(name, "/entry_0000/measurement/data", shape=(2, ROWS, COLS))
    g = detector(e, "mpx1x4", None, 0.83)
    g.create_virtual_dataset("data", layout, fillvalue=0)
    positioners(e, dict(mu=0.0, eta=[35.0, 35.1, 35.2, 35.3], phi=0.0, nu=1.2, delta=35.4, mononrj=8.0), "eta")
    mono(e, 8.0)
    # 5: a rocking curve whose detector was not saved: counters only
    e = scan(root, 5, "ascan eta 35.0 35.3 3 0.5", 4)
    e["measurement"].create_dataset("mpx1x4_roi1", data=np.arange(4.0))
    positioners(e, dict(mu=0.0, eta=[35.0, 35.1, 35.2, 35.3], phi=0.0, nu=1.2, delta=35.4, mononrj=8.0), "eta")

# the sample-level file: external links to the dataset's scans
with h5py.File("hc0000_sample.h5", "w") as root:
    root.attrs["NX_class"] = "NXroot"
    root.attrs["creator"] = "bliss"
    for n in (2, 3):
        root["sample_0001_%d.1" % n] = h5py.ExternalLink("sample_0001/sample_0001.h5", "/%d.1" % n)
