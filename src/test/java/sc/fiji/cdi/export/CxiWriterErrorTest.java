package sc.fiji.cdi.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;

import org.junit.jupiter.api.Test;

/** A failed CXI write names the I/O error behind jHDF's "Exception writing", e.g. a full disk. */
class CxiWriterErrorTest {

	@Test
	void aFullDiskIsNamedNotHiddenBehindJhdfsWrapper() {
		final RuntimeException jhdf = new io.jhdf.exceptions.HdfWritingException("Exception writing", new IOException("No space left on device"));
		assertEquals("No space left on device", CxiWriter.cause(jhdf));
		assertEquals("No space left on device", CxiWriter.cause(new RuntimeException("outer", new IOException("wrapper", new IOException("No space left on device")))));
		assertEquals("something else", CxiWriter.cause(new IllegalStateException("something else")));
	}
}
