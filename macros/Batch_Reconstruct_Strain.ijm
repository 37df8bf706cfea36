// Batch_Reconstruct_Strain.ijm — a folder of Bragg CDI scans → reconstructions, strain maps, figures and a CSV summary.
//
// For every scan (.tif/.tiff/.npy/.npz/.h5/.cxi/.edf file, or a sub-folder of TIFF frames) in input_dir:
//   1. Plugins > CDI > Reconstruct   → <scan>_amplitude.tif, _phase.tif (rad), _support.tif, _report.json, _error.png
//   2. Plugins > CDI > Strain        → <scan>_displacement.tif (nm), _strain.tif, _strain.png, … (when installed)
//   3. a figure of the central phase slice → <scan>_phase_centre.png (−π … π)
//   4. one row of output_dir/summary.csv: scan, status, chi2 (final χ², cohere's definition), seconds (wall time of
//      the reconstruction), support_voxels, strain (done / failed / skipped)
// A scan that fails is marked "failed" in the CSV (the reason is in the Log) and the batch goes on; at the end the
// macro says how many failed with exit(...), so the standalone runner (java -jar … -macro) exits with code 1.
//
// Interactive: Plugins > Macros > Run..., choose the folders.
// Headless:    fiji --headless -macro Batch_Reconstruct_Strain.ijm "input_dir=[/data/scans] output_dir=[/data/recon] recipe=[3*(20*ER+180*HIO)+20*ER] hkl=[1,1,1] lattice_constant=0.40782 voxel_size=10"
//              java -jar cdi-fiji.jar -macro Batch_Reconstruct_Strain.ijm "<same arguments>"
// Arguments (key=value, values with spaces or commas in [brackets]); defaults in parentheses:
//   input_dir, output_dir        required (asked for when missing and not headless)
//   recipe                       phasing recipe, cohere syntax (3*(20*ER+180*HIO)+20*ER, cohere's 34-ID-C default)
//   quantity                     intensity | amplitude (intensity)
//   seed                         random seed of the initial object (1): same seed, same result
//   strain                       true | false: run the Strain step (true)
//   hkl, lattice_constant, voxel_size, g_direction    passed to Strain (1,1,1; 0.40782 nm = Au; 10 nm; 0,1,0)

args = getArgument();
input_dir = argValue(args, "input_dir", "");
output_dir = argValue(args, "output_dir", "");
recipe = argValue(args, "recipe", "3*(20*ER+180*HIO)+20*ER");
quantity = argValue(args, "quantity", "intensity");
seed = argValue(args, "seed", "1");
strainArg = argValue(args, "strain", "true");
doStrain = true;
if (strainArg == "false") doStrain = false;
hkl = argValue(args, "hkl", "1,1,1");
lattice = argValue(args, "lattice_constant", "0.40782");
voxel = argValue(args, "voxel_size", "10");
gdir = argValue(args, "g_direction", "0,1,0");
if (input_dir == "") input_dir = getDirectory("Folder of diffraction scans");
if (output_dir == "") output_dir = getDirectory("Output folder");
input_dir = homePath(input_dir);
output_dir = homePath(output_dir);
if (!endsWith(input_dir, File.separator)) input_dir = input_dir + File.separator;
if (!endsWith(output_dir, File.separator)) output_dir = output_dir + File.separator;
File.makeDirectory(output_dir);

// the Strain command may not be installed (older update site): skip that step instead of aborting the batch
List.setCommands;
strainClass = List.get("Strain");
List.clear();
strainAvailable = lengthOf(strainClass) > 0;

setBatchMode(true);
csv = "scan,status,chi2,seconds,support_voxels,strain\n";
summary = output_dir + "summary.csv";
files = getFileList(input_dir);
n = 0; failed = 0;
for (i = 0; i < files.length; i++) {
	f = files[i];
	isFolder = endsWith(f, "/");
	lower = toLowerCase(f);
	if (!isFolder && !(endsWith(lower, ".tif") || endsWith(lower, ".tiff") || endsWith(lower, ".npy") || endsWith(lower, ".npz") || endsWith(lower, ".h5")
			|| endsWith(lower, ".cxi") || endsWith(lower, ".edf")))
		continue;
	name = scanName(f);
	input = input_dir + f;
	if (isFolder) input = input_dir + substring(f, 0, lengthOf(f) - 1);
	showStatus("Reconstructing " + name + " (" + (i + 1) + "/" + files.length + ")");
	report = output_dir + name + "_report.json";
	// the manifest is written last, only when the whole result set is in place: a stale one must not pass for this
	// run's, so the run must have written it anew (a failed rerun keeps the earlier, complete set and its manifest)
	manifest = output_dir + name + "_manifest.json";
	before = "";
	if (File.exists(manifest)) before = "" + File.lastModified(manifest);
	t0 = getTime();
	run("Reconstruct", "input=[" + input + "] output_dir=[" + output_dir + "] quantity=" + quantity + " recipe=[" + recipe + "] seed=" + seed);
	seconds = (getTime() - t0) / 1000;
	n++;
	written = false;
	if (File.exists(manifest) && File.exists(report)) {
		if (("" + File.lastModified(manifest)) != before) written = true;
	}
	if (!written) {
		failed++;
		csv = csv + name + ",failed,," + d2s(seconds, 2) + ",,\n";
		File.saveString(csv, summary);
		continue;
	}
	json = File.openAsString(report);
	chi2 = jsonNumber(json, "final_chi2");
	support = jsonNumber(json, "support_voxels");

	strainStatus = "skipped";
	if (doStrain && strainAvailable) {
		run("Strain", "amplitude_file=[" + output_dir + name + "_amplitude.tif] hkl=[" + hkl + "] lattice_constant=" + lattice
			+ " voxel_size=[" + voxel + "] g_direction=[" + gdir + "] output_dir=[" + output_dir + "]");
		// the command's own verdict: a _strain.tif of an earlier run is no proof that this one worked
		if (getInfo("cdi.lastFailure") == "" && File.exists(output_dir + name + "_strain.tif")) strainStatus = "done"; else strainStatus = "failed";
	}

	// figure: the central slice of the phase, scaled −π … π
	open(output_dir + name + "_phase.tif");
	setSlice(floor(nSlices / 2) + 1);
	setMinAndMax(-PI, PI);
	saveAs("PNG", output_dir + name + "_phase_centre.png");
	close();

	csv = csv + name + ",ok," + chi2 + "," + d2s(seconds, 2) + "," + support + "," + strainStatus + "\n";
	File.saveString(csv, summary);
}
File.saveString(csv, summary);
message = "Batch_Reconstruct_Strain: " + n + " scan(s), " + failed + " failed; summary in " + summary;
if (failed > 0) exit(message + " (the reasons are in the Log)");   // the standalone runner exits with code 1
print(message);

// scan name as Reconstruct names its outputs: the file name without its extension (the last suffix when it holds
// a letter, and OME-TIFF's .ome before it); a folder keeps its name
function scanName(f) {
	if (endsWith(f, "/")) return substring(f, 0, lengthOf(f) - 1);
	dot = lastIndexOf(f, ".");
	if (dot > 0 && matches(substring(f, dot + 1), ".*[A-Za-z].*")) f = substring(f, 0, dot);
	if (endsWith(toLowerCase(f), ".ome") && lengthOf(f) > 4) f = substring(f, 0, lengthOf(f) - 4);
	return f;
}

// the number after "key": in a JSON text (as written by the report), as text
function jsonNumber(json, key) {
	i = indexOf(json, "\"" + key + "\":");
	if (i < 0) return "";
	v = String.trim(substring(json, i + lengthOf(key) + 3));
	for (j = 0; j < lengthOf(v); j++)
		if (indexOf("0123456789.eE+-", substring(v, j, j + 1)) < 0) return substring(v, 0, j);
	return v;
}

// value of key=value (or key=[value with spaces]) in a macro argument string, or the default
function argValue(s, key, def) {
	i = indexOf(" " + s, " " + key + "=");
	if (i < 0) return def;
	v = substring(s, i + lengthOf(key) + 1);
	if (startsWith(v, "[")) return substring(v, 1, indexOf(v, "]"));
	j = indexOf(v, " ");
	if (j < 0) return v;
	return substring(v, 0, j);
}

// a leading ~ is the home folder, as the CDI commands read it (the macro's own getFileList, File.exists and
// File.makeDirectory do not expand it: "~/scans" was an empty folder, "~/recon" a folder named "~" here)
function homePath(p) {
	if (p == "~") return getDirectory("home");
	if (startsWith(p, "~/") || startsWith(p, "~" + File.separator)) return getDirectory("home") + substring(p, 2);
	return p;
}
