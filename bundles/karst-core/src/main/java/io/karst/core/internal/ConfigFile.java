package io.karst.core.internal;

import io.karst.api.mgmt.Management.ApplyReport;
import io.karst.api.mgmt.ManagementException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/**
 * The configuration file as the running system's persistent form: written after every change
 * made through management, atomically (a temporary file in the same directory, forced to disk,
 * renamed over the old one), and watched, so that an edit by hand is applied as a difference,
 * as Karaf applies edited .cfg files. The engine's own writes are told from hand edits by
 * their content.
 */
final class ConfigFile implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ConfigFile.class.getName());

  private final Path path;
  private final Engine engine;
  /** The text last written or applied: what the file holds when nobody else edited it. */
  private volatile String known;
  /**
   * Whether Karst may write the file: not while it holds a configuration that could not be
   * applied, which the administrator is still to fix.
   */
  private volatile boolean writable;
  private WatchService watcher;
  private Thread thread;

  ConfigFile(Path path, Engine engine, boolean applied) {
    this.path = path.toAbsolutePath();
    this.engine = engine;
    this.known = read();
    this.writable = applied;
  }

  /** Writes the running configuration; a failure is logged, the change stands. */
  void write(String text) {
    if (!writable) {
      LOG.log(Level.WARNING, path + " holds a configuration that was refused; it is not "
          + "overwritten, and this change is not saved until the file is fixed");
      return;
    }
    if (text.equals(known)) {
      return;
    }
    known = text;
    Path temporary = path.resolveSibling("." + path.getFileName() + ".tmp");
    try {
      Files.createDirectories(path.getParent());
      try (FileChannel c = FileChannel.open(temporary, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        c.write(StandardCharsets.UTF_8.encode(text));
        c.force(true);
      }
      try {
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory();
    } catch (IOException e) {
      LOG.log(Level.ERROR, path + " could not be written: " + e.getMessage() + "; the change "
          + "is made but not saved");
    }
  }

  /** Makes the rename durable: the directory entry, not just the data. */
  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "the directory of " + path + " cannot be forced on this system", e);
    }
  }

  /** Starts watching the file's directory on a daemon thread. */
  void watch() throws IOException {
    watcher = path.getFileSystem().newWatchService();
    Files.createDirectories(path.getParent());
    path.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_MODIFY);
    thread = new Thread(this::run, "karst-config-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        boolean ours = key.pollEvents().stream()
            .anyMatch(e -> path.getFileName().equals(e.context()));
        key.reset();
        if (ours) {
          changed();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
  }

  /** Applies the file if its content is not what Karst wrote or applied last. */
  void changed() {
    String text = read();
    if (text == null || text.equals(known)) {
      return;
    }
    String name = path.getFileName().toString();
    try {
      ApplyReport r = engine.apply(text, name, false, false, false);
      known = text;
      writable = true;
      LOG.log(Level.INFO, name + " was edited; applied: " + (r.plan().isEmpty()
          ? "nothing differs" : String.join("; ", r.plan())));
      r.notApplied().forEach(n -> LOG.log(Level.WARNING, name + ": not applied: " + n));
    } catch (ManagementException e) {
      known = text;
      writable = false;
      LOG.log(Level.ERROR, "the edit of " + path + " is refused, nothing changed: "
          + e.getMessage() + "; until it is fixed, changes are not saved to it");
    }
  }

  private String read() {
    try {
      return Files.exists(path) ? Files.readString(path) : null;
    } catch (IOException e) {
      LOG.log(Level.WARNING, path + " cannot be read: " + e.getMessage());
      return null;
    }
  }

  @Override
  public void close() {
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "closing the watch of " + path, e);
      }
    }
  }
}
