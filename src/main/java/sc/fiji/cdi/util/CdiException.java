package sc.fiji.cdi.util;

/**
 * An error a user can act on: bad input file, impossible parameter, not enough memory. The message is a complete
 * sentence naming the file or parameter, what was wrong and what was expected; commands show it without a stack trace.
 */
public class CdiException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public CdiException(final String message) { super(message); }

	public CdiException(final String message, final Throwable cause) { super(message, cause); }
}
