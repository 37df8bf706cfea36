package sc.fiji.cdi.geometry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import sc.fiji.cdi.data.Grid;
import sc.fiji.cdi.util.CdiException;

/**
 * The geometry of a Bragg CDI rocking scan and the transforms it implies between the detector frame of the data
 * (array axes z = rocking frame, y = detector row, x = detector column) and the orthonormal laboratory frame.
 *
 * <h2>Laboratory frame</h2>
 * The frame of bcdi (Carnis et al.) and of the CXI format: <b>z downstream</b> along the incident beam,
 * <b>y vertically up</b>, <b>x outboard</b> (horizontal, x = y × z). Vectors are written (z, y, x) like the arrays.
 *
 * <h2>Detector</h2>
 * The detector arm direction is d̂ = (cos γ_ip·cos γ_op, sin γ_op, sin γ_ip·cos γ_op) (z, y, x), with γ_ip the
 * in-plane angle (about the vertical axis, positive towards +x, outboard) and γ_op the out-of-plane angle (positive
 * up). The detector faces the sample at {@code distanceM}; its columns run along the rotated +x axis and its rows
 * downwards (the rotated −y axis, row 0 at the top), as in bcdi's 34-ID-C and ID01 descriptions. Pixels are square.
 *
 * <h2>Rocking</h2>
 * Frame n rotates the sample by n·Δω, right-handed about the unit axis â (lab frame). The reciprocal-space
 * position probed by pixel (n, row, col) in the sample frame is then, to first order,
 * q = q₀ − n·Δω·(â × q₀) + row·(k·p/D)·ê_row + col·(k·p/D)·ê_col, with q₀ = k(d̂ − ẑ) the Bragg vector (k = 2π/λ).
 * The columns of {@link #reciprocalBasis()} are these three steps (rad/nm). The direct-space basis of an N-voxel
 * reconstruction follows from the DFT: R = 2π·B<sup>−T</sup>·diag(1/N) (nm); the object voxel (n_z, n_y, n_x)
 * sits at R·(n − N/2). A solution from the twin (or the opposite FFT sign) is spatially inverted; see
 * {@code StrainParameters} for the matching phase-sign switch.
 *
 * @param energyKeV      photon energy in keV (λ[nm] = 1.23984198 / E[keV])
 * @param distanceM      sample–detector distance in m
 * @param pixelSizeUm    detector pixel size in µm (after any binning)
 * @param inplaneDeg     in-plane detector angle in the lab convention above (degrees)
 * @param outOfPlaneDeg  out-of-plane detector angle (degrees, positive up)
 * @param rockingAxisLab rocking axis â in the lab frame (z, y, x), normalised here
 * @param rockingStepDeg rocking step Δω per frame (degrees, signed)
 */
public record BraggGeometry(double energyKeV, double distanceM, double pixelSizeUm, double inplaneDeg, double outOfPlaneDeg,
	double[] rockingAxisLab, double rockingStepDeg)
{
	/** hc in keV·nm. */
	public static final double HC_KEV_NM = 1.23984198;

	/**
	 * Beamline presets: how the motors map onto the lab-frame angles above, following the beamline descriptions of
	 * bcdi (Carnis et al., {@code bcdi.experiment.beamline}).
	 */
	public enum Beamline {
		/**
		 * APS 34-ID-C: horizontal detector angle counter-clockwise (seen from above, i.e. towards outboard +x) and
		 * the vertical one positive up; rocking curve in θ, counter-clockwise about the vertical axis +y.
		 */
		APS_34IDC(new double[] { 0, 1, 0 }, 1),
		/**
		 * ESRF ID01: in-plane detector angle ν clockwise (towards −x), out-of-plane δ positive up; rocking curve in
		 * η, clockwise about the outboard axis x (i.e. about −x), the vertical scattering geometry of ID01.
		 */
		ESRF_ID01(new double[] { 0, 0, -1 }, -1);

		private final double[] axis;
		private final int inplaneSign;

		Beamline(final double[] axis, final int inplaneSign) { this.axis = axis; this.inplaneSign = inplaneSign; }

		/** The rocking axis in the lab frame (z, y, x). */
		public double[] rockingAxis() { return axis.clone(); }

		/** Lab in-plane angle = sign × motor angle. */
		public int inplaneSign() { return inplaneSign; }

		public static Beamline parse(final String s) {
			final String t = s.trim().toUpperCase().replace("-", "").replace("_", "").replace(" ", "");
			if (t.contains("34ID")) return APS_34IDC;
			if (t.contains("ID01")) return ESRF_ID01;
			throw new CdiException("Unknown beamline '" + s + "': expected '34-ID-C' (APS) or 'ID01' (ESRF).");
		}
	}

	public BraggGeometry {
		check("energy (keV)", energyKeV);
		check("detector distance (m)", distanceM);
		check("pixel size (µm)", pixelSizeUm);
		if (!Double.isFinite(inplaneDeg) || !Double.isFinite(outOfPlaneDeg)) throw new CdiException("Detector angles must be finite numbers of degrees, got in-plane " + inplaneDeg + ", out-of-plane " + outOfPlaneDeg + ".");
		if (!(rockingStepDeg != 0) || !Double.isFinite(rockingStepDeg)) throw new CdiException("The rocking step must be a non-zero number of degrees, got " + rockingStepDeg + ".");
		if (rockingAxisLab == null || rockingAxisLab.length != 3) throw new CdiException("The rocking axis must have three components (z, y, x), got " + Arrays.toString(rockingAxisLab) + ".");
		final double n = Math.sqrt(Mat3.dot(rockingAxisLab, rockingAxisLab));
		if (!(n > 0)) throw new CdiException("The rocking axis " + Arrays.toString(rockingAxisLab) + " has zero length.");
		rockingAxisLab = new double[] { rockingAxisLab[0] / n, rockingAxisLab[1] / n, rockingAxisLab[2] / n };
		final double[] q0 = braggVector(energyKeV, inplaneDeg, outOfPlaneDeg);
		if (!(Mat3.norm(q0) > 0)) throw new CdiException("The detector angles (0, 0) put the detector in the direct beam: no Bragg reflection. Give the in-plane and out-of-plane angles of the Bragg peak.");
		if (Mat3.norm(Mat3.cross(rockingAxisLab, q0)) < 1e-9 * Mat3.norm(q0))
			throw new CdiException("The rocking axis " + Arrays.toString(rockingAxisLab) + " is parallel to the Bragg vector: rocking would not move through the peak. Check the angles and the axis.");
	}

	private static void check(final String what, final double v) {
		if (!(v > 0) || !Double.isFinite(v)) throw new CdiException("The " + what + " must be a positive number, got " + v + ".");
	}

	/** A geometry from a beamline's motor angles (degrees), rocking about the beamline's rocking axis. */
	public static BraggGeometry of(final Beamline b, final double energyKeV, final double distanceM, final double pixelSizeUm,
		final double inplaneMotorDeg, final double outOfPlaneMotorDeg, final double rockingStepDeg)
	{
		return new BraggGeometry(energyKeV, distanceM, pixelSizeUm, b.inplaneSign() * inplaneMotorDeg, outOfPlaneMotorDeg, b.rockingAxis(), rockingStepDeg);
	}

	/**
	 * A geometry from a beamline's detector motor angles or, when both are 0, from the scattering angle 2θ alone: the
	 * detector then sits in the beamline's scattering plane, horizontal at 34-ID-C (in-plane angle = 2θ) and vertical
	 * at ID01 (out-of-plane angle = 2θ).
	 */
	public static BraggGeometry of(final Beamline b, final double energyKeV, final double distanceM, final double pixelSizeUm,
		final double inplaneMotorDeg, final double outOfPlaneMotorDeg, final double twoThetaDeg, final double rockingStepDeg)
	{
		if (inplaneMotorDeg != 0 || outOfPlaneMotorDeg != 0) return of(b, energyKeV, distanceM, pixelSizeUm, inplaneMotorDeg, outOfPlaneMotorDeg, rockingStepDeg);
		if (!(twoThetaDeg > 0)) throw new CdiException("The " + b + " geometry needs the detector angles: give the in-plane and out-of-plane angles (inplane_deg, outofplane_deg) or 2θ (two_theta_deg); got 0, 0 and "
			+ twoThetaDeg + ".");
		return b == Beamline.APS_34IDC ? of(b, energyKeV, distanceM, pixelSizeUm, twoThetaDeg, 0, rockingStepDeg) : of(b, energyKeV, distanceM, pixelSizeUm, 0, twoThetaDeg, rockingStepDeg);
	}

	/** Wavelength in nm. */
	public double wavelengthNm() { return HC_KEV_NM / energyKeV; }

	/** |k| = 2π/λ in rad/nm. */
	public double k() { return 2 * Math.PI / wavelengthNm(); }

	/** Scattering angle 2θ in degrees (angle between the incident beam and the detector arm). */
	public double twoThetaDeg() {
		return Math.toDegrees(Math.acos(Math.cos(Math.toRadians(inplaneDeg)) * Math.cos(Math.toRadians(outOfPlaneDeg))));
	}

	/** Unit vector of the detector arm (z, y, x). */
	public double[] detectorDirection() { return direction(inplaneDeg, outOfPlaneDeg); }

	/** Unit vector along the detector's columns index (z, y, x): R_y(in-plane)·x̂, horizontal. */
	private double[] detectorColumnAxis() {
		final double a = Math.toRadians(inplaneDeg);
		return new double[] { -Math.sin(a), 0, Math.cos(a) };
	}

	/** Unit vector along the detector's row index (z, y, x): R_y(in-plane)·R_tilt(out-of-plane)·(−ŷ), downwards. */
	private double[] detectorRowAxis() {
		final double a = Math.toRadians(inplaneDeg), b = Math.toRadians(outOfPlaneDeg);
		return new double[] { Math.sin(b) * Math.cos(a), -Math.cos(b), Math.sin(b) * Math.sin(a) };
	}

	private static double[] direction(final double ip, final double op) {
		final double a = Math.toRadians(ip), b = Math.toRadians(op);
		return new double[] { Math.cos(a) * Math.cos(b), Math.sin(b), Math.sin(a) * Math.cos(b) };
	}

	private static double[] braggVector(final double e, final double ip, final double op) {
		final double k = 2 * Math.PI * e / HC_KEV_NM;
		final double[] d = direction(ip, op);
		return new double[] { k * (d[0] - 1), k * d[1], k * d[2] };
	}

	/** The Bragg vector q₀ = k_f − k_i = G at the centre of the detector (z, y, x), rad/nm. */
	public double[] braggVectorLab() { return braggVector(energyKeV, inplaneDeg, outOfPlaneDeg); }

	/** Unit vector along G in the lab frame (z, y, x): the {@code gDirection} for the strain analysis of an orthogonalised object. */
	public double[] braggDirectionLab() { return Mat3.normalise(braggVectorLab()); }

	/**
	 * Reciprocal-space basis B (rad/nm): column j is the step in q (lab frame, (z, y, x) components) per index along
	 * array axis j (0 = rocking frame, 1 = detector row, 2 = detector column). {@code B[i][j]} = component i of column j.
	 */
	public double[][] reciprocalBasis() {
		final double pixelStep = k() * pixelSizeUm * 1e-6 / distanceM; // k·p/D
		final double[] row = detectorRowAxis(), col = detectorColumnAxis();
		// a right-handed rotation by Δω about â moves the sample-frame q by −Δω·(â × q₀), the cross product of the
		// right-handed lab frame (BraggGeometryPeerTest: xrayutilities with cohere's circles). Until 1 Dec it was taken
		// on the (z, y, x) arrays as if they were (x, y, z), which reversed the rocking direction and sheared the
		// lab-frame crystal the wrong way (scan 54's facets then missed the {100}/{110}/{111} directions by up to 15°)
		final double[] rock = Mat3.scale(Mat3.crossZyx(rockingAxisLab, braggVectorLab()), -Math.toRadians(rockingStepDeg));
		final double[][] m = new double[3][3];
		for (int i = 0; i < 3; i++) {
			m[i][0] = rock[i];
			m[i][1] = pixelStep * row[i];
			m[i][2] = pixelStep * col[i];
		}
		return m;
	}

	/**
	 * Direct-space basis R = 2π·B<sup>−T</sup>·diag(1/N) in nm for a reconstruction on {@code grid}: column j is the
	 * lab-frame (z, y, x) vector of one voxel step along array axis j.
	 */
	public double[][] directBasis(final Grid grid) {
		final double[][] bit = Mat3.transpose(Mat3.inverse(reciprocalBasis()));
		final int[] n = grid.zyx();
		final double[][] r = new double[3][3];
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++) r[i][j] = 2 * Math.PI * bit[i][j] / n[j];
		return r;
	}

	/**
	 * The geometry of the detector pixel {@code rows} below and {@code columns} to the right of the pixel the arm
	 * points at (in pixel pitches of this geometry, fractions allowed): the same detector, energy and rocking, with the
	 * in-plane and out-of-plane angles of the ray from the sample to that pixel, so that {@link #braggVectorLab()} is
	 * the q of that pixel. The pixel lies at D·d̂ + columns·p·ê_col + rows·p·ê_row on the flat detector (the axes of
	 * {@link #reciprocalBasis()}); its angles are exact, as xrayutilities' {@code QConversion.area} computes the q of
	 * a pixel from its centre channel. bcdi's {@code Setup.correct_detector_angles} adds p/D radians per pixel to the
	 * in-plane angle (towards +x per column) and −p/D per row to the out-of-plane angle, a small-angle form that
	 * leaves out the 1/cos(out-of-plane) of the in-plane angle (scan 54: −0.855° exact, −0.832° bcdi's). The
	 * reciprocal basis of the result is that of a detector facing the pixel, which differs from the steps of the
	 * tilted true detector at that pixel to second order in the offset angle (a few 1e-3 of a step at 2°).
	 */
	public BraggGeometry atPixelOffset(final double rows, final double columns) {
		if (!Double.isFinite(rows) || !Double.isFinite(columns)) throw new CdiException("A detector pixel offset must be finite, got rows " + rows + ", columns " + columns + ".");
		final double p = pixelSizeUm * 1e-6;
		final double[] arm = detectorDirection(), row = detectorRowAxis(), col = detectorColumnAxis();
		final double[] r = new double[3];
		for (int i = 0; i < 3; i++) r[i] = distanceM * arm[i] + columns * p * col[i] + rows * p * row[i];
		final double ip = Math.toDegrees(Math.atan2(r[2], r[0])), op = Math.toDegrees(Math.atan2(r[1], Math.hypot(r[0], r[2])));
		return new BraggGeometry(energyKeV, distanceM, pixelSizeUm, ip, op, rockingAxisLab, rockingStepDeg);
	}

	/** The angle in degrees between this geometry's Bragg vector and {@code other}'s. */
	public double angleToDeg(final BraggGeometry other) {
		final double[] u = braggDirectionLab(), v = other.braggDirectionLab();
		return Math.toDegrees(Math.atan2(Mat3.norm(Mat3.cross(u, v)), Mat3.dot(u, v)));
	}

	/** The lattice spacing d = 2π/|q₀| (nm) of the reflection at the detector's centre ray. */
	public double dSpacingNm() { return 2 * Math.PI / Mat3.norm(braggVectorLab()); }

	/**
	 * The geometry of the array after binning by (fz, fy, fx): the rocking step grows fz times, the pixel fy times.
	 * Binning the rows and the columns differently would make the pixels oblong, which this model does not describe.
	 */
	public BraggGeometry binned(final int fz, final int fy, final int fx) {
		if (fz < 1 || fy < 1 || fx < 1) throw new CdiException("Binning factors must be >= 1, got " + fz + "," + fy + "," + fx + ".");
		if (fy != fx) throw new CdiException("Binning the detector rows by " + fy + " and the columns by " + fx + " makes oblong pixels; the lab-frame geometry needs the same factor on y and x.");
		return new BraggGeometry(energyKeV, distanceM, pixelSizeUm * fy, inplaneDeg, outOfPlaneDeg, rockingAxisLab, rockingStepDeg * fz);
	}

	/** Report keys of {@link #toReport()} and {@link #fromReport(Map, String)}; lengths in the unit their name says. */
	public static final List<String> REPORT_KEYS = List.of("energy_kev", "distance_m", "pixel_um", "inplane_deg_lab", "outofplane_deg",
		"rocking_axis_lab_zyx", "rocking_step_deg");

	/**
	 * The geometry as a report block (JSON object): the record's fields under {@link #REPORT_KEYS}, plus 2θ, the Bragg
	 * vector (rad/nm), its d-spacing and the frame convention, which {@link #fromReport} ignores.
	 */
	public Map<String, Object> toReport() {
		final Map<String, Object> m = new LinkedHashMap<>();
		m.put("energy_kev", energyKeV);
		m.put("wavelength_nm", wavelengthNm());
		m.put("distance_m", distanceM);
		m.put("pixel_um", pixelSizeUm);
		m.put("inplane_deg_lab", inplaneDeg);
		m.put("outofplane_deg", outOfPlaneDeg);
		m.put("two_theta_deg", twoThetaDeg());
		m.put("bragg_vector_lab_zyx", braggVectorLab());
		m.put("d_spacing_nm", dSpacingNm());
		m.put("rocking_axis_lab_zyx", rockingAxisLab.clone());
		m.put("rocking_step_deg", rockingStepDeg);
		m.put("lab_frame", "z downstream, y up, x outboard (bcdi, CXI)");
		return m;
	}

	/** The geometry of a report block written by {@link #toReport()}; {@code source} names it in messages. */
	public static BraggGeometry fromReport(final Map<String, ?> block, final String source) {
		final double[] v = new double[6];
		final String[] scalar = { "energy_kev", "distance_m", "pixel_um", "inplane_deg_lab", "outofplane_deg", "rocking_step_deg" };
		for (int i = 0; i < scalar.length; i++) {
			final Object o = block.get(scalar[i]);
			if (!(o instanceof Number n) || !Double.isFinite(n.doubleValue()))
				throw new CdiException("The geometry in " + source + " has no number '" + scalar[i] + "' (found " + o + "); expected the keys " + REPORT_KEYS
					+ (block.get("missing") != null ? ". The import said: " + block.get("missing") : "") + ".");
			v[i] = n.doubleValue();
		}
		final Object a = block.get("rocking_axis_lab_zyx");
		final double[] axis = new double[3];
		if (!(a instanceof List<?> l) || l.size() != 3) throw new CdiException("The geometry in " + source + " has no 'rocking_axis_lab_zyx' of three numbers (found " + a + ").");
		for (int i = 0; i < 3; i++) axis[i] = ((Number) l.get(i)).doubleValue();
		return new BraggGeometry(v[0], v[1], v[2], v[3], v[4], axis, v[5]);
	}

	/**
	 * The geometry recorded in a reconstruction report ({@code <name>_report.json}, its {@code geometry} block), so
	 * that lab-frame orthogonalisation needs no retyping. The block describes the array that was phased (after binning).
	 */
	public static BraggGeometry fromReport(final Path reportJson) {
		final JsonObject root;
		try {
			final JsonElement e = JsonParser.parseString(Files.readString(reportJson));
			if (!e.isJsonObject()) throw new CdiException("Report " + reportJson + " is not a JSON object.");
			root = e.getAsJsonObject();
		} catch (final IOException e) {
			throw new CdiException("Cannot read the report " + reportJson + ": " + e.getMessage() + ".");
		} catch (final com.google.gson.JsonParseException e) {
			throw new CdiException("Report " + reportJson + " is not valid JSON: " + e.getMessage() + ".");
		}
		if (!root.has("geometry") || !root.get("geometry").isJsonObject())
			throw new CdiException("Report " + reportJson + " has no 'geometry' block: the data were not imported with a beamline (e.g. input=<SPEC file> scan=<n>);"
				+ " give the geometry by hand (geometry=34-ID-C with energy_kev, distance_m, pixel_um, inplane_deg, outofplane_deg, rocking_step_deg).");
		@SuppressWarnings("unchecked")
		final Map<String, Object> block = new com.google.gson.Gson().fromJson(root.get("geometry"), Map.class);
		return fromReport(block, reportJson.toString());
	}

	@Override
	public String toString() {
		return String.format("BraggGeometry[E=%.4g keV, D=%.4g m, pixel=%.4g µm, in-plane=%.4g°, out-of-plane=%.4g°, 2θ=%.4g°, rocking axis(zyx)=%s, step=%.4g°]",
			energyKeV, distanceM, pixelSizeUm, inplaneDeg, outOfPlaneDeg, twoThetaDeg(), Arrays.toString(rockingAxisLab), rockingStepDeg);
	}
}
