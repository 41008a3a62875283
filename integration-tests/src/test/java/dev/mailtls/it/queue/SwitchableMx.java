package dev.mailtls.it.queue;

import dev.mailtls.it.bed.MxEndpoint;
import dev.mailtls.it.bed.ProxyConnection;
import dev.mailtls.it.bed.StarttlsProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An MX host whose STARTTLS can be stripped and then fixed while the application runs: the bed's
 * own {@link StarttlsProxy}, in front of the bed's Postfix, on an address of its own
 * ({@value #IP}:25), started anew in the other mode to switch. The application reaches it through
 * a hosts file that maps a test domain's MX name here ({@link QueueBed#hostsFile}), so the policy
 * (DNSSEC, TLSA at {@code _25._tcp.<mx>}) is that domain's. Records every connection of every mode.
 */
final class SwitchableMx implements AutoCloseable {
    /** Loopback address the bed itself does not use. */
    static final String IP = "127.0.0.40";

    private final List<ProxyConnection> earlier = new ArrayList<>();
    private StarttlsProxy proxy;

    SwitchableMx(StarttlsProxy.Mode mode) {
        this.proxy = start(mode);
    }

    private static StarttlsProxy start(StarttlsProxy.Mode mode) {
        try {
            return new StarttlsProxy("switchable-" + mode.name().toLowerCase(), mode,
                    new InetSocketAddress(IP, MxEndpoint.SMTP_PORT), MxEndpoint.POSTFIX_TLS.address());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the switchable MX on " + IP + ":25", e);
        }
    }

    /** From now on the destination behaves as {@code mode}: STRIP (attacked), PASS (fixed). */
    synchronized void switchTo(StarttlsProxy.Mode mode) {
        earlier.addAll(proxy.connections());
        proxy.close();
        proxy = start(mode);
    }

    /** The bait of {@link StarttlsProxy#setFakeAuth}: AUTH advertised in clear, until the next switch. */
    synchronized void setFakeAuth(boolean enabled) {
        proxy.setFakeAuth(enabled);
    }

    /** Every connection so far, in every mode. */
    synchronized List<ProxyConnection> connections() {
        List<ProxyConnection> all = new ArrayList<>(earlier);
        all.addAll(proxy.connections());
        return all;
    }

    /** AUTH, MAIL FROM, RCPT TO, DATA, BDAT sent in clear on any connection; empty when nothing leaked. */
    List<String> cleartextSensitiveCommands() {
        return connections().stream().flatMap(c -> c.cleartextSensitiveCommands().stream()).collect(Collectors.toList());
    }

    /** The connections without TLS: for failure messages. */
    String report() {
        return connections().stream().filter(c -> !c.tlsHappened()).limit(20).map(ProxyConnection::transcript)
                .collect(Collectors.joining("\n"));
    }

    @Override
    public synchronized void close() {
        proxy.close();
    }
}
