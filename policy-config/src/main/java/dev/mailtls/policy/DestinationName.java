package dev.mailtls.policy;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The canonical form in which destinations are compared: lower case, without the trailing dot,
 * internationalized names in their A-label (punycode) form, so that {@code Bücher.Example.} and
 * {@code xn--bcher-kva.example} are the same destination.
 */
public final class DestinationName {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private DestinationName() {
    }

    /**
     * The canonical form of {@code name}, checked to be a host name or an IPv4 address literal.
     *
     * @throws IllegalArgumentException with a message saying what is wrong, e.g. for an empty
     *     label, a label over 63 octets, or a character a host name cannot have
     */
    public static String canonical(String name) {
        String candidate = lenient(name);
        if (candidate.isEmpty()) {
            throw new IllegalArgumentException("empty name");
        }
        if (candidate.length() > 253) {
            throw new IllegalArgumentException("name longer than 253 characters");
        }
        if (IPV4.matcher(candidate).matches()) {
            for (String octet : candidate.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("not an IPv4 address: octet " + octet + " > 255");
                }
            }
            return candidate;
        }
        for (String label : candidate.split("\\.", -1)) {
            if (label.isEmpty()) {
                throw new IllegalArgumentException("empty label (two dots in a row, or a leading dot)");
            }
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("\"" + label + "\" is not a valid label: letters, digits,"
                        + " hyphens (not first or last), at most 63 characters");
            }
        }
        return candidate;
    }

    /**
     * The canonical form of a name as an application gave it, without validation: a name that is
     * not a valid host name still gets a stable key (and then matches only the default rule).
     */
    public static String lenient(String name) {
        String candidate = name.trim();
        if (candidate.endsWith(".")) {
            candidate = candidate.substring(0, candidate.length() - 1);
        }
        if (!isAscii(candidate)) {
            try {
                candidate = IDN.toASCII(candidate, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException notAnIdn) {
                // Keep the Unicode form: it cannot equal any validated rule, so the default applies.
            }
        }
        return candidate.toLowerCase(Locale.ROOT);
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }
}
