package sc.fiji.cdi.strain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import sc.fiji.cdi.data.ComplexVolume;
import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.geometry.BraggGeometry;
import sc.fiji.cdi.geometry.Mat3;
import sc.fiji.cdi.util.Progress;

/** A strained crystal reconstructed in the sheared detector frame of a 34-ID-C scan: its strain comes out in the lab frame. */
class LabFrameStrainTest {

	@Test
	void homogeneousStrainAlongTheBraggVectorSurvivesOrthogonalisation() {
		final BraggGeometry geo = BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 31.0, 9.0, 0.01);
		final Grid det = Grid.cube(48);
		final double[][] r = geo.directBasis(det);
		final double[] gHat = geo.braggDirectionLab();
		final double gNorm = Mat3.norm(geo.braggVectorLab()); // the reflection the detector sits on
		final double eps0 = 1e-3, radius = 250; // nm
		final float[] c = new float[2 * det.size()];
		final boolean[] s = new boolean[det.size()];
		for (int z = 0; z < 48; z++) for (int y = 0; y < 48; y++) for (int x = 0; x < 48; x++) {
			final double[] p = Mat3.multiply(r, new double[] { z - 24, y - 24, x - 24 }); // lab position, nm
			final int i = det.index(z, y, x);
			s[i] = Mat3.norm(p) <= radius;
			if (!s[i]) continue;
			final double phi = gNorm * eps0 * Mat3.dot(gHat, p); // φ = G·u, u = ε0 (r·Ĝ) Ĝ
			c[2 * i] = (float) Math.cos(phi); c[2 * i + 1] = (float) Math.sin(phi);
		}
		final StrainParameters p = StrainParameters.defaults().withGNorm(gNorm).withRampRemoval(RampRemoval.NONE);
		final StrainResult res = StrainAnalysis.analyseInLabFrame(new ComplexVolume(det, c), s, geo, 12, p, Progress.NONE);
		final Grid lab = res.strain().grid;
		final boolean[] inner = StrainAnalysis.erode(lab, res.support(), 2);
		int n = 0;
		double sum = 0, sum2 = 0;
		for (int i = 0; i < lab.size(); i++) if (inner[i]) { final double e = res.strain().data[i]; sum += e; sum2 += (e - eps0) * (e - eps0); n++; }
		assertTrue(n > 1000, "interior voxels: " + n);
		final double rms = Math.sqrt(sum2 / n);
		System.out.printf("lab-frame strain of a 0.1%% strained sphere (34-ID-C geometry, 12 nm voxels): mean %.5g, RMS error %.3g (%.2f%%)%n", sum / n, rms, 100 * rms / eps0);
		assertEquals(eps0, sum / n, 0.01 * eps0);
		assertTrue(rms < 1e-3 * eps0, "RMS error " + rms);
		// the sphere keeps its size: volume of the lab support within 5 %
		int vox = 0;
		for (final boolean b : res.support()) if (b) vox++;
		assertEquals(4 / 3.0 * Math.PI * radius * radius * radius, vox * 12.0 * 12 * 12, 0.05 * 4 / 3.0 * Math.PI * radius * radius * radius);
	}

	@Test
	void aTwoDimensionalObjectIsNotOrthogonalisedWithARockingScanGeometry() {
		final BraggGeometry geo = BraggGeometry.of(BraggGeometry.Beamline.APS_34IDC, 9, 0.5, 55, 31.0, 9.0, 0.01);
		final Grid g = Grid.of2D(20, 16);
		final float[] c = new float[2 * g.size()];
		for (int i = 0; i < g.size(); i++) c[2 * i] = 1;
		final sc.fiji.cdi.util.CdiException e = org.junit.jupiter.api.Assertions.assertThrows(sc.fiji.cdi.util.CdiException.class,
			() -> sc.fiji.cdi.workflow.Strain.run(new sc.fiji.cdi.workflow.Strain.Request("flat", new ComplexVolume(g, c), null, StrainParameters.defaults(), geo, "34-ID-C", 0, null, java.util.Map.of()),
				Progress.NONE));
		assertTrue(e.getMessage().contains("is 2D (20x16)") && e.getMessage().contains("geometry=\"34-ID-C\"") && e.getMessage().contains("geometry=\"none\""), e.getMessage());
	}
}
