package sc.fiji.cdi.util;

/** Thrown when the user cancelled a long operation; nothing partial is left behind. */
public class CancelledException extends CdiException {

	private static final long serialVersionUID = 1L;

	public CancelledException() { super("Cancelled by the user."); }
}
