"""Reference numbers for BraggGeometryPeerTest: the q of a detector pixel away from the centre channel, from
xrayutilities' QConversion.area (Debian's python3-xrayutilities 1.7.4), with cohere's circles, beam along +z.

Run: /usr/bin/python3 tools/geometry/xrayutilities_peak_pixel.py
Prints, per case, q (rad/nm, lab frame (z, y, x)) at the pixel and the steps to the next pixel down (row) and right
(column). Pixel directions: 34idcTIM2 ('x+', 'y-') as cohere; ID01 ('x+', 'y-') as bcdi's ID01 description (cohere's
mpxgaas is 'x-' on its transposed array: see docs/real-data.md). The detector arm points at the centre channel.
"""
import numpy as np
import xrayutilities as xu


def q_lab(qc, sample, detector, roi, en):
    q = np.array(qc.area(*sample, *detector, roi=roi, deg=True, en=en))  # (3, rows of dir1, rows of dir2)
    return q


def case(name, sample_axes, detector_axes, sample, detector, energy_ev, distance, pixel, cch_col, cch_row, col, row):
    qc = xu.experiment.QConversion(sample_axes, detector_axes, (0, 0, 1), en=energy_ev)
    # direction 1 = detector columns (x+), direction 2 = rows (y-), as cohere's transposed frames
    qc.init_area('x+', 'y-', cch1=cch_col, cch2=cch_row, Nch1=4096, Nch2=4096, distance=distance, pwidth1=pixel, pwidth2=pixel)
    q = q_lab(qc, sample, detector, [col, col + 2, row, row + 2], energy_ev)
    # sample at all zero: the sample frame is the lab frame; xrayutilities (x, y, z) -> (z, y, x), 1/A -> rad/nm
    zyx = lambda v: 10 * np.array([v[2], v[1], v[0]])
    q0 = zyx(q[:, 0, 0])
    print(name)
    print('  q at pixel (row %g, col %g)  =' % (row, col), np.array2string(q0, precision=9, separator=', '))
    print('  row step                    =', np.array2string(zyx(q[:, 0, 1]) - q0, precision=9, separator=', '))
    print('  column step                 =', np.array2string(zyx(q[:, 1, 0]) - q0, precision=9, separator=', '))
    print('  |q| =', np.linalg.norm(q0), ' d =', 2 * np.pi / np.linalg.norm(q0), 'nm')


# 34-ID-C scan 54: Delta 32.174, Gamma 12.6346, 9 keV, 0.5 m, 55 um; sample circles at 0 (lab = sample frame)
# scan 54's peak pixel (row 127, column 128 of the whole detector); cohere's centre channel (256, 256) lies past the
# chip seam, so in the seam-inserted positions cohere gives xrayutilities it is column 256 + 4, row 256 + 5
case('34-ID-C, scan 54 peak pixel (row 127, col 128), cch (256, 256) + seam', ('y+', 'z-', 'y+'), ('y+', 'x-'), (0, 0, 0), (32.174, 12.6346),
     9000.0, 0.5, 55e-6, 256 + 4, 256 + 5, 128, 127)
case('34-ID-C, scan 54 peak pixel, no seam', ('y+', 'z-', 'y+'), ('y+', 'x-'), (0, 0, 0), (32.174, 12.6346),
     9000.0, 0.5, 55e-6, 256, 256, 128, 127)
case('34-ID-C, centre channel pixel', ('y+', 'z-', 'y+'), ('y+', 'x-'), (0, 0, 0), (32.174, 12.6346), 9000.0, 0.5, 55e-6, 256, 256, 256, 256)
# ID01: Nu 5 (lab in-plane -5), Delta 30, 9 keV, 0.8 m, 55 um Maxipix 516x516, cch (258, 258); a pixel 100 rows
# above and 150 columns right of it
case('ID01, pixel (row 158, col 408) from cch (258, 258)', ('y-', 'x-', 'y-'), ('y-', 'x-'), (0, 0, 0), (5, 30), 9000.0, 0.8, 55e-6, 258, 258, 408, 158)
