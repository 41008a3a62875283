package dev.mailtls.demo;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;

/**
 * The authoritative name server of the {@link DemoZone}: UDP and TCP on one ephemeral port of
 * 127.0.0.1, the port the agent's {@code mailtls.dns.servers} names. A UDP reply larger than the
 * client's EDNS payload size goes out truncated (TC), and the client retries over TCP.
 */
final class DemoDnsServer implements Closeable {
    /** Without EDNS a UDP reply may hold 512 bytes (RFC 1035). */
    private static final int PLAIN_UDP_LIMIT = 512;

    private final DemoZone zone;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final ServerThreads threads = new ServerThreads("mailtls-demo-dns");

    private DemoDnsServer(DemoZone zone, DatagramSocket udp, ServerSocket tcp) {
        this.zone = zone;
        this.udp = udp;
        this.tcp = tcp;
        threads.start(this::serveUdp);
        threads.start(this::serveTcp);
    }

    /** Starts serving {@code zone} on a port free for both UDP and TCP. */
    static DemoDnsServer start(DemoZone zone) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        IOException lastClash = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            try {
                return new DemoDnsServer(zone, udp, new ServerSocket(udp.getLocalPort(), 50, loopback));
            } catch (IOException tcpPortTaken) {
                udp.close();
                lastClash = tcpPortTaken;
            }
        }
        throw lastClash;
    }

    int port() {
        return udp.getLocalPort();
    }

    @Override
    public void close() {
        udp.close();
        threads.close(tcp);
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
                Message query = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
                OPTRecord opt = query.getOPT();
                int limit = opt == null ? PLAIN_UDP_LIMIT : Math.max(PLAIN_UDP_LIMIT, opt.getPayloadSize());
                // toWire(limit) drops whole sections that do not fit and sets TC.
                byte[] reply = zone.answer(query).toWire(limit);
                udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (IOException closedOrGarbage) {
                // A query that does not parse gets no reply; a closed socket ends the loop.
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            final Socket connection;
            try {
                connection = tcp.accept();
            } catch (IOException closed) {
                return;
            }
            threads.startConnection(connection, () -> serveTcpConnection(connection));
        }
    }

    /** RFC 7766: each message prefixed by its two-byte length; the client may send several. */
    private void serveTcpConnection(Socket connection) {
        try {
            DataInputStream in = new DataInputStream(connection.getInputStream());
            DataOutputStream out = new DataOutputStream(connection.getOutputStream());
            while (true) {
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                byte[] reply = zone.answer(new Message(query)).toWire();
                out.writeShort(reply.length);
                out.write(reply);
                out.flush();
            }
        } catch (IOException closedOrGarbage) {
            // The client closed the connection, or sent something that is not DNS: either ends it.
        }
    }
}
