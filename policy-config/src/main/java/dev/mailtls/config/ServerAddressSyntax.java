package dev.mailtls.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * DNS server addresses as written in configuration: {@code 192.0.2.53}, {@code 127.0.0.1:5301},
 * {@code [::1]:53}, {@code ::1} or {@code localhost}. Only address literals (and {@code localhost})
 * are accepted: finding the DNS server by name would need DNS, and an unauthenticated answer
 * would pick the server that is then trusted to authenticate everything else.
 */
final class ServerAddressSyntax {
    static final String FORMAT = "an IP address with an optional port: 192.0.2.53, 127.0.0.1:5301, [::1]:53";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final int DNS_PORT = 53;

    private ServerAddressSyntax() {
    }

    /** The address; {@link IllegalArgumentException} with the reason when malformed. */
    static InetSocketAddress parse(String text) {
        String host;
        String port = null;
        String trimmed = text.trim();
        if (trimmed.startsWith("[")) {
            int close = trimmed.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ] after an IPv6 address; write " + FORMAT);
            }
            host = trimmed.substring(1, close);
            String rest = trimmed.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("expected :PORT after ]; write " + FORMAT);
                }
                port = rest.substring(1);
            }
        } else if (trimmed.indexOf(':') != trimmed.lastIndexOf(':')) {
            host = trimmed; // a bare IPv6 address
        } else {
            int colon = trimmed.indexOf(':');
            host = colon < 0 ? trimmed : trimmed.substring(0, colon);
            port = colon < 0 ? null : trimmed.substring(colon + 1);
        }
        return new InetSocketAddress(address(host), port == null ? DNS_PORT : port(port));
    }

    /** {@code 127.0.0.1:5301}, {@code [::1]:53}. */
    static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static InetAddress address(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return InetAddress.getLoopbackAddress();
        }
        boolean literal = IPV4.matcher(host).matches() || (host.indexOf(':') >= 0 && host.matches("[0-9A-Fa-f:.]+"));
        if (!literal) {
            throw new IllegalArgumentException("\"" + host + "\" is not an IP address; DNS servers are given by address: " + FORMAT);
        }
        if (IPV4.matcher(host).matches()) {
            for (String octet : host.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    // Checked here because the JDK would take 999.1.1.1 for a host name and ask DNS.
                    throw new IllegalArgumentException("\"" + host + "\" is not a valid IPv4 address; write " + FORMAT);
                }
            }
        }
        try {
            // A literal never causes a DNS query.
            return InetAddress.getByName(host);
        } catch (UnknownHostException malformed) {
            throw new IllegalArgumentException("\"" + host + "\" is not a valid IP address; write " + FORMAT);
        }
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException("port \"" + text + "\" is not a number from 1 to 65535");
    }
}
