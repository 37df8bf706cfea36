# Generates small_linked.cxi once (committed; tests do not run Python):
# a CXI-like file whose entry_1/data_1/data is a soft link to a gzip-chunked uint16 detector stack
# with a 2D uint32 mask next to the target (non-zero = bad). Run with Debian's /usr/bin/python3 (h5py).
import h5py, numpy as np
z, y, x = np.meshgrid(np.arange(4), np.arange(6), np.arange(5), indexing="ij")
data = (z * 100 + y * 10 + x + 1).astype(np.uint16)
mask = np.zeros((6, 5), np.uint32)
mask[0, 0] = 1
mask[2, 3] = 65536
with h5py.File("small_linked.cxi", "w") as f:
    det = f.create_group("entry_1/instrument_1/detector_1")
    det.create_dataset("data", data=data, chunks=(1, 6, 5), compression="gzip")
    det.create_dataset("mask", data=mask)
    f["entry_1/data_1/data"] = h5py.SoftLink("/entry_1/instrument_1/detector_1/data")
    f.create_dataset("entry_1/sample_1/geometry_1/orientation", data=np.eye(3))
    f["entry_1/cxi_version"] = 150

# softloop.h5: entry_1/data_1/data and entry_1/data_1/other are soft links to each other (a loop), beside a real dataset
with h5py.File("softloop.h5", "w") as f:
    g = f.create_group("entry_1/data_1")
    g["data"] = h5py.SoftLink("/entry_1/data_1/other")
    g["other"] = h5py.SoftLink("/entry_1/data_1/data")
    f["real"] = np.arange(64, dtype="f4").reshape(8, 8)

# tiled.tif (32x32 float32 in 16x16 tiles) and half.tif (8x8 float16): TIFF layouts ImageJ's decoder cannot read
import tifffile
tifffile.imwrite("tiled.tif", (np.arange(32 * 32) % 7 + 1).astype("f4").reshape(32, 32), tile=(16, 16))
tifffile.imwrite("half.tif", (np.arange(8 * 8) % 7 + 1).astype("f2").reshape(8, 8))

# unwritten.h5: a chunked dataset created but never written (no chunk stored)
with h5py.File("unwritten.h5", "w") as f:
    f.create_dataset("entry_1/data_1/data", shape=(8, 8, 8), dtype="f4", chunks=(4, 4, 4))

# partial.h5: a chunked (1, 8, 8) stack of 4 frames (fill value 7) of which only frames 1 and 2 were written, as an
# interrupted acquisition leaves it; jHDF reads the missing chunks as zeros
with h5py.File("partial.h5", "w") as f:
    d = f.create_dataset("entry_1/data_1/data", shape=(4, 8, 8), dtype="f4", chunks=(1, 8, 8), fillvalue=7)
    d[0] = np.arange(64, dtype="f4").reshape(8, 8) + 1
    d[1] = np.arange(64, dtype="f4").reshape(8, 8) + 2

# vds.h5 (a virtual dataset), external.h5 (values in a raw file beside it), scaleoffset.h5 (a filter jHDF lacks)
src = (np.arange(2 * 8 * 8) % 9 + 1).astype("u2").reshape(2, 8, 8)
with h5py.File("vds.h5", "w") as f:
    layout = h5py.VirtualLayout(shape=src.shape, dtype="u2")
    layout[:] = h5py.VirtualSource("frames.h5", "/data", shape=src.shape)
    f.create_group("entry_1/data_1").create_virtual_dataset("data", layout)
with h5py.File("external.h5", "w") as f:
    f.create_dataset("entry_1/data_1/data", shape=src.shape, dtype="u2", external=[("external.raw", 0, src.nbytes)])
with h5py.File("scaleoffset.h5", "w") as f:
    f.create_dataset("entry_1/data_1/data", data=src, scaleoffset=0)

# boolmask.cxi: a 2D mask of numpy bool (h5py: an enum FALSE/TRUE) next to the data and at /mask
with h5py.File("boolmask.cxi", "w") as f:
    f["entry_1/data_1/data"] = src
    m = np.zeros((8, 8), bool)
    m[2, 3] = True
    f["entry_1/data_1/mask"] = m
    m2 = np.zeros((8, 8), bool)
    m2[5, 6] = m2[0, 0] = True
    f["mask"] = m2

# bitshuffle.h5: bitshuffle-LZ4 chunks as Eiger detectors write them (needs Debian's bitshuffle package for the filter),
# 13 x 11 frames so that a block ends in elements left unshuffled
import bitshuffle.h5 as bsh
with h5py.File("bitshuffle.h5", "w") as f:
    frames = (np.arange(2 * 13 * 11) % 97 + 1).astype("u2").reshape(2, 13, 11)
    frames[1, 12, 10] = 65000
    f.create_group("entry_1/data_1").create_dataset("data", data=frames, chunks=(1, 13, 11), compression=bsh.H5FILTER, compression_opts=(0, bsh.H5_COMPRESS_LZ4))

# complex.h5: a 4 x 4 complex64 field (h5py: a compound of r and i) where the counts should be
with h5py.File("complex.h5", "w") as f:
    f["entry_1/data_1/data"] = (np.arange(16).reshape(4, 4) + 1j).astype("c8")

# extlink.h5: entry_1/data_1/data is an external link to /entry/data/data of extlink_data.h5 (an Eiger master and
# its data file); the test writes (or leaves out) the data file
with h5py.File("extlink.h5", "w") as f:
    f.create_group("entry_1/data_1")
    f["entry_1/data_1/data"] = h5py.ExternalLink("extlink_data.h5", "/entry/data/data")
# rocking_t.ome.tif (4 x 6 x 5 uint16, OME axes T, Y, X: SizeT=4, SizeZ=1): rocking-curve frames written as time
# points; frame t holds 100 t + 1 + the pixel index
a = (100 * np.arange(4)[:, None, None] + np.arange(6 * 5).reshape(6, 5) + 1).astype("u2")
tifffile.imwrite("rocking_t.ome.tif", a, ome=True, metadata={"axes": "TYX"})
