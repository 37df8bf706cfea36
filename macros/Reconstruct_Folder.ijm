// Reconstruct_Folder.ijm — reconstruct every diffraction stack in a folder with Plugins > CDI > Reconstruct.
//
// Interactive: Plugins > Macros > Run..., pick the input and output folders.
// Headless:    fiji --headless -macro Reconstruct_Folder.ijm "input_dir=/data/scans output_dir=/data/recon recipe=3*(20*ER+180*HIO)+20*ER"
// Every file ending in .tif/.tiff/.npy/.npz/.h5/.cxi/.edf is reconstructed (not earlier results: *_amplitude.tif etc.); results land in output_dir as
// <name>_amplitude.tif, _phase.tif, _support.tif, _report.json and _error.png. A scan that fails is skipped (a failing
// CDI command reports its reason and the macro goes on, in Fiji and in the standalone runner); at the end the failed
// scans are listed with their reasons, and the macro ends with exit(...) so that the plugin's standalone runner (java -jar … -macro) exits with code 1 (Fiji's own launcher may not pass it on:
// check the summary line).

args = getArgument();
input_dir = argValue(args, "input_dir", "");
output_dir = argValue(args, "output_dir", "");
recipe = argValue(args, "recipe", "3*(20*ER+180*HIO)+20*ER");   // cohere's default for 34-ID-C
quantity = argValue(args, "quantity", "intensity");
seed = argValue(args, "seed", "1");
if (input_dir == "") input_dir = getDirectory("Folder of diffraction stacks");
if (output_dir == "") output_dir = getDirectory("Output folder");
input_dir = homePath(input_dir);
output_dir = homePath(output_dir);
if (!endsWith(input_dir, File.separator)) input_dir = input_dir + File.separator;

files = getFileList(input_dir);
done = 0; nFailed = 0; failed = "";
for (i = 0; i < files.length; i++) {
	f = files[i];
	lower = toLowerCase(f);
	if (!(endsWith(lower, ".tif") || endsWith(lower, ".tiff") || endsWith(lower, ".npy") || endsWith(lower, ".npz") || endsWith(lower, ".h5")
			|| endsWith(lower, ".cxi") || endsWith(lower, ".edf")))
		continue;
	// a reconstruction's own results (output_dir = input_dir, or a rerun) are not patterns
	if (endsWith(lower, "_amplitude.tif") || endsWith(lower, "_phase.tif") || endsWith(lower, "_support.tif") || endsWith(lower, "_mask.tif"))
		continue;
	showStatus("Reconstructing " + f + " (" + (i + 1) + "/" + files.length + ")");
	run("Reconstruct", "input=[" + input_dir + f + "] output_dir=[" + output_dir + "] quantity=" + quantity
		+ " recipe=[" + recipe + "] seed=" + seed);
	// every CDI command leaves its failure (or "" after a success) in this Java system property
	why = getInfo("cdi.lastFailure");
	if (why == "") {
		done++;
	} else {
		nFailed++;
		if (failed != "") failed = failed + "; ";
		failed = failed + f + " (" + why + ")";
	}
}
summary = "Reconstruct_Folder: " + done + " reconstructed, " + nFailed + " failed";
if (nFailed > 0) summary = summary + ": " + failed;
if (nFailed > 0) exit(summary);   // shown once; the standalone runner exits with code 1
print(summary + " (from " + input_dir + " into " + output_dir + ")");

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
