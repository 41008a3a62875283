package dev.mailtls.demo;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a client gave away in plaintext after its EHLO, read from the bytes a server recorded before
 * TLS: the commands that carry the login, the envelope and the message (AUTH, MAIL, RCPT, DATA),
 * their bytes, the message's bytes, and the password if AUTH PLAIN sent one. EHLO, STARTTLS and
 * QUIT are not counted: they reveal nothing of the mail. Immutable.
 */
final class PlaintextExposure {
    private static final List<String> REVEALING = Arrays.asList("AUTH", "MAIL", "RCPT", "DATA");
    private static final List<String> OTHER_COMMANDS = Arrays.asList("EHLO", "HELO", "STARTTLS", "RSET", "NOOP", "QUIT");

    private final Set<String> commands;
    private final int commandBytes;
    private final int messageBytes;
    private final String password;

    private PlaintextExposure(Set<String> commands, int commandBytes, int messageBytes, String password) {
        this.commands = commands;
        this.commandBytes = commandBytes;
        this.messageBytes = messageBytes;
        this.password = password;
    }

    /** Reads the client's plaintext bytes of one or more connections, concatenated. */
    static PlaintextExposure of(byte[] plaintext) {
        Set<String> commands = new LinkedHashSet<String>();
        int commandBytes = 0;
        int messageBytes = 0;
        String password = null;
        boolean afterEhlo = false;
        boolean inMessage = false;
        String previous = "";
        for (String line : new String(plaintext, StandardCharsets.UTF_8).split("(?<=\n)")) {
            int bytes = line.getBytes(StandardCharsets.UTF_8).length;
            String text = line.trim();
            if (inMessage) {
                messageBytes += bytes;
                inMessage = !text.equals(".");
                continue;
            }
            String verb = text.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            if (verb.equals("EHLO") || verb.equals("HELO")) {
                afterEhlo = true;
            }
            // A line that is no command continues an AUTH exchange (the credentials after "334").
            boolean authContinued = previous.equals("AUTH") && !REVEALING.contains(verb) && !OTHER_COMMANDS.contains(verb);
            String counted = authContinued ? "AUTH" : verb;
            if (afterEhlo && REVEALING.contains(counted)) {
                commands.add(counted);
                commandBytes += bytes;
                String revealed = counted.equals("AUTH") ? plainPassword(authContinued ? text : initialResponse(text)) : null;
                password = revealed != null ? revealed : password;
                inMessage = counted.equals("DATA");
            }
            previous = counted;
        }
        return new PlaintextExposure(commands, commandBytes, messageBytes, password);
    }

    /** The credentials on the line {@code AUTH PLAIN <base64>}, or {@code null}. */
    private static String initialResponse(String authLine) {
        String[] words = authLine.split(" ");
        return words.length == 3 && words[1].equalsIgnoreCase("PLAIN") ? words[2] : null;
    }

    /** The password in an AUTH PLAIN response: base64 of "authzid NUL user NUL password" (RFC 4616). */
    private static String plainPassword(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8).split("\u0000", -1);
            return parts.length == 3 ? parts[2] : null;
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    boolean isEmpty() {
        return commands.isEmpty();
    }

    /** The revealing commands (AUTH, MAIL, RCPT, DATA) that crossed in plaintext, in order. */
    Set<String> commands() {
        return commands;
    }

    /** The bytes of the revealing command lines. */
    int commandBytes() {
        return commandBytes;
    }

    /** The bytes of the message sent after a plaintext DATA, headers and final dot included. */
    int messageBytes() {
        return messageBytes;
    }

    /** The password an AUTH PLAIN revealed, or {@code null}. */
    String password() {
        return password;
    }

    /** {@code none}, or e.g. {@code 151 B (AUTH MAIL RCPT DATA) + message 402 B}. */
    @Override
    public String toString() {
        if (commands.isEmpty()) {
            return "none";
        }
        return commandBytes + " B (" + String.join(" ", commands) + ")" + (messageBytes > 0 ? " + message " + messageBytes
                + " B" : "");
    }
}
