package dev.mailtls.cli;

import dev.mailtls.engine.ConnectionRequirement;
import dev.mailtls.engine.ConnectionTrust;
import dev.mailtls.engine.PolicyEngine;
import dev.mailtls.tls.VerificationOutcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;

/**
 * One SMTP session of {@code mailtls check}, like Postfix's {@code posttls-finger}: greeting,
 * EHLO, STARTTLS, the handshake verified as the requirement demands, EHLO again and QUIT. It never
 * sends MAIL FROM, so nothing is ever delivered. Prints each step; answers whether the server
 * complied.
 */
final class SmtpProbe {
    private static final int TIMEOUT_MILLIS = 30_000;

    private final PolicyEngine engine;
    private final PrintStream out;

    SmtpProbe(PolicyEngine engine, PrintStream out) {
        this.engine = engine;
        this.out = out;
    }

    /** Probes {@code address} under {@code requirement}; true when the connection complies. */
    boolean complies(ConnectionRequirement requirement, InetAddress address) {
        String peer = requirement.host() + "[" + address.getHostAddress() + "]:" + requirement.port();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, requirement.port()), TIMEOUT_MILLIS);
            plain.setSoTimeout(TIMEOUT_MILLIS);
            plain.setTcpNoDelay(true);
            Session session = new Session(plain);
            session.expect("greeting", 220);
            List<String> extensions = session.command("EHLO mailtls-check.invalid", 250);
            boolean offered = false;
            for (String line : extensions) {
                offered |= line.substring(4).trim().equalsIgnoreCase("STARTTLS");
            }
            if (!offered) {
                session.command("QUIT", 221);
                return verdict(peer, !requirement.kind().tlsRequired(),
                        "STARTTLS not offered" + (requirement.kind().tlsRequired() ? ", but TLS is required" : "; plaintext allowed"));
            }
            if (requirement.kind() == ConnectionRequirement.Kind.NONE) {
                session.command("QUIT", 221);
                return verdict(peer, true, "STARTTLS offered; level none does not use it");
            }
            List<String> reply = session.command("STARTTLS", -1);
            if (!reply.get(0).startsWith("220")) {
                session.command("QUIT", -1);
                return verdict(peer, !requirement.kind().tlsRequired(), "STARTTLS refused: " + reply.get(0));
            }
            SSLSocket tls = (SSLSocket) engine.tlsContext(requirement).socketFactory()
                    .createSocket(plain, requirement.host(), requirement.port(), true);
            try {
                tls.startHandshake();
            } catch (IOException refused) {
                VerificationOutcome outcome = VerificationOutcome.fromFailure(refused);
                return verdict(peer, false, outcome != null ? outcome.failureMessage() : "TLS handshake failed: " + refused);
            }
            VerificationOutcome outcome = VerificationOutcome.of(tls.getSession());
            out.println("    " + ConnectionTrust.summary(requirement, requirement.host(), address.getHostAddress(),
                    requirement.port(), tls));
            Session secured = new Session(tls);
            secured.command("EHLO mailtls-check.invalid", 250);
            secured.command("QUIT", -1);
            return verdict(peer, outcome.isAuthenticated() || requirement.kind() != ConnectionRequirement.Kind.DANE
                    && requirement.kind() != ConnectionRequirement.Kind.VERIFY
                    && requirement.kind() != ConnectionRequirement.Kind.SECURE, outcome.isAuthenticated()
                    ? "TLS, authenticated" : "TLS, " + (outcome.failureMessage() == null ? "not authenticated (not required)"
                    : outcome.failureMessage() + " (reported only: action=audit)"));
        } catch (IOException | GeneralSecurityException failed) {
            return verdict(peer, false, "connection failed: " + failed.getMessage());
        }
    }

    private boolean verdict(String peer, boolean complies, String why) {
        out.println("    " + peer + ": " + (complies ? "complies" : "DOES NOT COMPLY") + ": " + why);
        return complies;
    }

    /** The SMTP dialogue on one socket, printed as it goes. */
    private final class Session {
        private final BufferedReader in;
        private final OutputStream to;

        Session(Socket socket) throws IOException {
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            this.to = socket.getOutputStream();
        }

        List<String> command(String line, int expected) throws IOException {
            out.println("    > " + line);
            to.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            to.flush();
            return expect(line, expected);
        }

        /** Reads one (multi-line) reply; {@code expected} -1 accepts any code. */
        List<String> expect(String what, int expected) throws IOException {
            List<String> lines = new ArrayList<>();
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    throw new IOException("connection closed by the server after " + what);
                }
                if (line.length() < 4) {
                    throw new IOException("malformed SMTP reply \"" + line + "\" after " + what);
                }
                lines.add(line);
                out.println("    < " + line);
            } while (line.charAt(3) == '-');
            if (expected != -1 && !line.startsWith(String.valueOf(expected))) {
                throw new IOException("unexpected reply to " + what + ": " + line);
            }
            return lines;
        }
    }
}
