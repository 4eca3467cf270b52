package io.karst.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One session of libiscsi itself (the library of libiscsi-bin's tools), held open by the script
 * {@code libiscsi-session.py} of the test resources for commands no packaged tool sends, such
 * as REPORT TARGET PORT GROUPS, and for a session that lives across an administrator's change.
 * {@link #send} writes one line of the script's language ({@code tur LUN}, {@code rtpg LUN},
 * {@code luns}) and returns its one line of answer.
 */
final class LibiscsiSession implements AutoCloseable {

  private final Process process;
  private final Writer in;
  /** What the script printed, line by line; a reader thread fills it so a read can time out. */
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  /** Logs in to {@code target} on 127.0.0.1:{@code port} as {@code initiator}, at this LUN. */
  LibiscsiSession(int port, String target, String initiator, int lun) throws Exception {
    Path script = Path.of(LibiscsiSession.class.getResource("/libiscsi-session.py").toURI());
    process = new ProcessBuilder("python3", script.toString(), "127.0.0.1:" + port, target,
        initiator, String.valueOf(lun)).redirectErrorStream(true).start();
    in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(
          process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("read failed: " + e);
      }
      lines.add("exited");
    }, "libiscsi-session output");
    reader.setDaemon(true);
    reader.start();
    String first = next();
    if (!first.equals("logged in")) {
      close();
      throw new IOException("libiscsi did not log in: " + first);
    }
  }

  /** Sends one command line and returns the script's answer, without the echoed command. */
  String send(String command) throws Exception {
    in.write(command + "\n");
    in.flush();
    String answer = next();
    // In the test's output (target/failsafe-reports), for who reads a failure.
    System.out.println("libiscsi-session.py> " + answer);
    if (!answer.startsWith(command + ": ")) {
      throw new IOException("libiscsi-session.py answered \"" + answer + "\" to " + command);
    }
    return answer.substring(command.length() + 2);
  }

  private String next() throws Exception {
    String line = lines.poll(120, TimeUnit.SECONDS);
    if (line == null) {
      throw new IOException("libiscsi-session.py printed nothing in 120 s");
    }
    return line;
  }

  /** Logs out and waits for the script to end. */
  @Override
  public void close() {
    try {
      in.write("quit\n");
      in.close();
    } catch (IOException e) {
      // The script has already exited: nothing to log out.
    }
    try {
      if (process.waitFor(60, TimeUnit.SECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
  }
}
