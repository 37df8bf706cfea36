# Generates the HDF5 fixtures of Hdf5NexusTest once (committed; tests do not run Python) into
# src/test/resources/sc/fiji/cdi/io/. jHDF 0.9.4 writes groups, datasets and attributes but no links, so the files
# that need external or hard links, or attributes as h5py writes them, are made here.
# Run from the project root with Debian's h5py: /usr/bin/python3 tools/make_hdf5_nexus_fixtures.py
import os
import h5py
import numpy as np

out = "src/test/resources/sc/fiji/cdi/io"

# eiger_master.h5: a Dectris Eiger master file, /entry/data/data_000001..3 external links to /entry/data/data of
# eiger_data_000001.h5 .. eiger_data_000003.h5 beside it (the test writes those, or leaves one out)
def master(name, numbers, signal=None):
    with h5py.File(os.path.join(out, name), "w", libver="earliest") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = np.bytes_("NXentry")
        data = entry.create_group("data")
        data.attrs["NX_class"] = np.bytes_("NXdata")
        if signal:
            f.attrs["default"] = "entry"
            entry.attrs["default"] = np.bytes_("data")
            data.attrs["signal"] = np.bytes_(signal)
        for k in numbers:
            data["data_%06d" % k] = h5py.ExternalLink("eiger_data_%06d.h5" % k, "/entry/data/data")
        det = entry.create_group("instrument/detector")
        det.attrs["NX_class"] = np.bytes_("NXdetector")
        det["x_pixel_size"] = np.float32(75e-6)

master("eiger_master.h5", [1, 2, 3])
# eiger_gap_master.h5: data_000002 missing between data_000001 and data_000003
master("eiger_gap_master.h5", [1, 3])
# eiger_signal_master.h5: the same master with a NeXus default chain whose NXdata signal names the first part only
master("eiger_signal_master.h5", [1, 2, 3], signal="data_000001")

# nexus_h5py.nxs: the NeXus default chain with attributes as h5py writes them (variable-length str at the root,
# fixed-length bytes further down); the signal is a hard link to the detector's frames; decoys: another NXdata
# group and /entry/data/data
with h5py.File(os.path.join(out, "nexus_h5py.nxs"), "w", libver="earliest") as f:
    f.attrs["NX_class"] = "NXroot"
    f.attrs["default"] = "scan"
    e = f.create_group("scan")
    e.attrs["NX_class"] = np.bytes_("NXentry")
    e.attrs["default"] = np.bytes_("plot")
    frames = (np.arange(2 * 4 * 5).reshape(2, 4, 5) * 3 + 1).astype(np.uint16)
    e.create_dataset("instrument/detector/frames", data=frames)
    p = e.create_group("plot")
    p.attrs["NX_class"] = np.bytes_("NXdata")
    p.attrs["signal"] = np.bytes_("frames")
    p["frames"] = e["instrument/detector/frames"]
    other = e.create_group("monitor")
    other.attrs["NX_class"] = np.bytes_("NXdata")
    other.attrs["signal"] = "counts"
    other["counts"] = np.ones((3, 3), np.float32) * 9
    f["entry/data/data"] = np.ones((2, 2, 2), np.float32) * 5
