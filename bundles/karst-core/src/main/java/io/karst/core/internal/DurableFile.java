package io.karst.core.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Function;

/**
 * A small text file of state that must survive a crash at any point, as the stores of
 * persistent reservations ({@link PrStore}) and saved mode parameters ({@link ModeStore}) keep
 * under core's data directory: a write goes to a temporary file that is forced to disk and
 * renamed over the old one, and the directory is forced too, so the file holds either the old
 * text or the new one. A file that cannot be read is moved aside as {@code *.corrupt}, for an
 * administrator to look at.
 */
final class DurableFile {

  private static final System.Logger LOG = System.getLogger(DurableFile.class.getName());

  private DurableFile() {}

  /** Writes {@code text} durably: temporary file, forced, renamed over the old one. */
  static void write(Path file, String text) throws IOException {
    Path dir = file.getParent();
    Files.createDirectories(dir);
    Path temporary = dir.resolve(file.getFileName() + ".tmp");
    try (FileChannel c = FileChannel.open(temporary, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer data = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (data.hasRemaining()) {
        c.write(data);
      }
      c.force(true);
    }
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(dir);
  }

  /** Removes the file, durably, if it is there. */
  static void remove(Path file) throws IOException {
    if (Files.deleteIfExists(file)) {
      forceDirectory(file.getParent());
    }
  }

  /**
   * The file's lines as {@code parse} reads them (it throws IllegalArgumentException on what
   * it cannot), or null when there is no file, or when it is unreadable: it is then moved
   * aside, and the log names its path, {@code what} it holds and {@code consequence}, what the
   * device does without it.
   */
  static <T> T read(Path file, String what, String consequence,
      Function<List<String>, T> parse) {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return parse.apply(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      moveAside(file, what, e, consequence);
      return null;
    }
  }

  private static void moveAside(Path file, String what, Exception why, String consequence) {
    Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
    LOG.log(Level.ERROR, what + " " + file + " is unreadable (" + why.getMessage()
        + "); moved to " + aside + ", " + consequence);
    try {
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException m) {
      LOG.log(Level.ERROR, "could not move " + file + " aside", m);
    }
  }

  /** Makes a rename or deletion in {@code dir} durable (POSIX: fsync of the directory). */
  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory for reading; the rename itself stands.
      LOG.log(Level.DEBUG, "cannot force directory " + dir, e);
    }
  }
}
