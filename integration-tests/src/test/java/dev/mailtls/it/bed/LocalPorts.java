package dev.mailtls.it.bed;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Collectors;

/**
 * Checks on loopback ports before and after a daemon starts. A port must be free before the
 * start (a stale or second Unbound with {@code so-reuseport} would silently share it, and a
 * readiness probe could be answered by another instance) and open after it.
 */
final class LocalPorts {

  private LocalPorts() {}

  /**
   * Fails unless the TCP (and, with {@code udp}, the UDP) port can be bound. Retries for a few
   * seconds because processes of a just-stopped daemon may still be exiting.
   */
  static void requireFree(String owner, InetSocketAddress address, boolean udp) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
    while (true) {
      String busy = busy(address, udp);
      if (busy == null) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new BedStartupException("cannot start " + owner + ": " + busy + " " + address
            + " is already in use (a daemon from an earlier run, or another bed?). Holders:\n"
            + holders(address.getPort()));
      }
      pause(100);
    }
  }

  private static String busy(InetSocketAddress address, boolean udp) {
    try (ServerSocket tcp = new ServerSocket()) {
      tcp.setReuseAddress(true);
      tcp.bind(address);
    } catch (IOException e) {
      return "TCP";
    }
    if (udp) {
      try {
        new DatagramSocket(address).close(); // bound and released
      } catch (IOException e) {
        return "UDP";
      }
    }
    return null;
  }

  /** The listeners on that port as {@code ss} sees them, with their processes. */
  static String holders(int port) {
    ShellCommand ss = ShellCommand.run(Duration.ofSeconds(5), "ss", "-Hlnptu");
    String lines = ss.output().lines()
        .filter(l -> l.matches(".*:" + port + "\\s.*"))
        .collect(Collectors.joining("\n"));
    return lines.isEmpty() ? "(ss shows none: " + ss.describe() + ")" : lines;
  }

  /** Whether something accepts TCP connections at the address. */
  static boolean accepts(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.connect(address, 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BedStartupException("interrupted while waiting for the test bed", e);
    }
  }
}
