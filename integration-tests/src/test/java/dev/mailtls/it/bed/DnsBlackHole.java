package dev.mailtls.it.bed;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A "DNS server" that accepts queries over UDP and TCP and never answers, for resolver-timeout
 * tests. TCP connections are accepted and kept open (read and discarded) until the bed stops,
 * so a client sees a timeout, not a refused or reset connection.
 */
public final class DnsBlackHole implements AutoCloseable {

  private final InetSocketAddress address;
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final AtomicInteger udpQueries = new AtomicInteger();
  private final AtomicInteger tcpConnections = new AtomicInteger();
  private volatile boolean closed;

  DnsBlackHole(InetSocketAddress address) throws IOException {
    LocalPorts.requireFree("the DNS black hole", address, true);
    this.address = address;
    this.udp = new DatagramSocket(address);
    this.tcp = new ServerSocket();
    tcp.setReuseAddress(true);
    tcp.bind(address);
    thread("udp", this::swallowUdp).start();
    thread("tcp", this::acceptTcp).start();
  }

  private Thread thread(String what, Runnable body) {
    Thread thread = new Thread(body, "mailtls-bed-blackhole-" + what);
    thread.setDaemon(true);
    return thread;
  }

  private void swallowUdp() {
    byte[] buffer = new byte[65535];
    while (!closed) {
      try {
        udp.receive(new DatagramPacket(buffer, buffer.length));
        udpQueries.incrementAndGet();
      } catch (IOException e) {
        // closed, or a transient error: keep swallowing until closed
      }
    }
  }

  private void acceptTcp() {
    while (!closed) {
      try {
        Socket socket = tcp.accept();
        tcpConnections.incrementAndGet();
        held.add(socket);
        thread("tcp-conn", () -> drain(socket)).start();
      } catch (IOException e) {
        // closed
      }
    }
  }

  private static void drain(Socket socket) {
    byte[] buffer = new byte[4096];
    try (InputStream in = socket.getInputStream()) {
      while (in.read(buffer) >= 0) {
        // discard: never answer
      }
    } catch (IOException e) {
      // closed by the client or by close()
    }
  }

  /** Where to send queries that must time out. */
  public InetSocketAddress address() {
    return address;
  }

  /** UDP datagrams received so far (proof a query arrived and was ignored). */
  public int udpQueriesReceived() {
    return udpQueries.get();
  }

  /** TCP connections accepted so far. */
  public int tcpConnectionsAccepted() {
    return tcpConnections.get();
  }

  @Override
  public void close() {
    closed = true;
    udp.close();
    try {
      tcp.close();
    } catch (IOException e) {
      // nothing to do
    }
    for (Socket socket : held) {
      try {
        socket.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }
}
