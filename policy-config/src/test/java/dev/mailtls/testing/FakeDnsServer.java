package dev.mailtls.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.xbill.DNS.Message;

/**
 * A DNS server on an ephemeral loopback port (UDP and TCP on the same port number) that hands
 * every query to a {@link Responder} and records the query bytes it received, so that tests can
 * check the flags a client sends. Nothing here resolves anything: the responder decides, for
 * example {@link SignedTestZone#responder()} or a lambda built with {@link DnsReplies}.
 */
public final class FakeDnsServer implements AutoCloseable {
    /** Decides the reply to one query. Runs on a server thread; may block (to hold a reply back). */
    @FunctionalInterface
    public interface Responder {
        Reply respond(Message query) throws Exception;
    }

    /** What the server sends back: a message, raw bytes (garbage is fine), or nothing at all. */
    public static final class Reply {
        private final byte[] bytes;

        private Reply(byte[] bytes) {
            this.bytes = bytes;
        }

        public static Reply message(Message message) {
            return new Reply(message.toWire());
        }

        public static Reply bytes(byte[] bytes) {
            return new Reply(bytes.clone());
        }

        /** No reply: the client times out. */
        public static Reply none() {
            return new Reply(null);
        }
    }

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Responder udpResponder;
    private final Responder tcpResponder;
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "fake-dns");
        thread.setDaemon(true);
        return thread;
    });
    private final List<byte[]> received = new ArrayList<>();

    private FakeDnsServer(DatagramSocket udp, ServerSocket tcp, Responder udpResponder, Responder tcpResponder) {
        this.udp = udp;
        this.tcp = tcp;
        this.udpResponder = udpResponder;
        this.tcpResponder = tcpResponder;
        threads.execute(this::serveUdp);
        threads.execute(this::serveTcp);
    }

    public static FakeDnsServer start(Responder responder) throws IOException {
        return start(responder, responder);
    }

    /** A server that answers UDP and TCP queries differently, e.g. truncated over UDP only. */
    public static FakeDnsServer start(Responder udpResponder, Responder tcpResponder) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        IOException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            try {
                ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 50, loopback);
                return new FakeDnsServer(udp, tcp, udpResponder, tcpResponder);
            } catch (IOException e) {
                // The TCP port with the UDP port's number is taken; pick another pair.
                udp.close();
                last = e;
            }
        }
        throw last;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
    }

    /** The raw bytes of every query received so far, in order of arrival. */
    public List<byte[]> receivedQueries() {
        synchronized (received) {
            List<byte[]> copy = new ArrayList<>();
            for (byte[] query : received) {
                copy.add(query.clone());
            }
            return copy;
        }
    }

    /** The queries received so far, parsed. */
    public List<Message> received() {
        List<Message> messages = new ArrayList<>();
        for (byte[] query : receivedQueries()) {
            try {
                messages.add(new Message(query));
            } catch (IOException e) {
                throw new IllegalStateException("the client sent a query that does not parse", e);
            }
        }
        return messages;
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // Closing is best effort; the port is ephemeral.
        }
        threads.shutdownNow();
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (IOException e) {
                return;
            }
            byte[] query = Arrays.copyOf(packet.getData(), packet.getLength());
            SocketAddress client = packet.getSocketAddress();
            execute(() -> {
                byte[] reply = answer(query, udpResponder);
                if (reply != null) {
                    try {
                        udp.send(new DatagramPacket(reply, reply.length, client));
                    } catch (IOException e) {
                        // The client is gone; nothing to do.
                    }
                }
            });
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            Socket connection;
            try {
                connection = tcp.accept();
            } catch (IOException e) {
                return;
            }
            execute(() -> serveTcpConnection(connection));
        }
    }

    private void execute(Runnable task) {
        try {
            threads.execute(task);
        } catch (RejectedExecutionException e) {
            // The server is closing; a query that arrives now stays unanswered.
        }
    }

    private void serveTcpConnection(Socket connection) {
        try (Socket socket = connection) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            while (true) {
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                byte[] reply = answer(query, tcpResponder);
                if (reply == null) {
                    continue;
                }
                out.writeShort(reply.length);
                out.write(reply);
                out.flush();
            }
        } catch (SocketException | EOFException e) {
            // The client closed the connection.
        } catch (IOException e) {
            // A broken connection ends this exchange only.
        }
    }

    private byte[] answer(byte[] query, Responder responder) {
        synchronized (received) {
            received.add(query);
        }
        try {
            return responder.respond(new Message(query)).bytes;
        } catch (Exception e) {
            throw new IllegalStateException("the fake DNS responder failed", e);
        }
    }
}
