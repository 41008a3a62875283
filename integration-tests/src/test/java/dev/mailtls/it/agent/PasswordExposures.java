package dev.mailtls.it.agent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a password shows in a text: in clear, or base64-encoded as SMTP AUTH sends it (PLAIN:
 * {@code base64(authzid NUL user NUL password)}; LOGIN: {@code base64(password)} on a line of its
 * own). A plain {@code contains(password)} misses both encodings, and a precomputed encoding
 * misses the same bytes at another offset inside a longer encoded string, so every base64-looking
 * token is decoded and searched.
 */
final class PasswordExposures {
    /** A run of base64 characters long enough to hold a short secret, padding included. */
    private static final Pattern BASE64_TOKEN = Pattern.compile("[A-Za-z0-9+/]{4,}={0,2}");

    private PasswordExposures() {
    }

    /** Every place {@code password} shows in {@code text}, described; empty when it does not. */
    static List<String> find(String text, String password) {
        List<String> found = new ArrayList<>();
        if (text.contains(password)) {
            found.add("in clear");
        }
        Matcher tokens = BASE64_TOKEN.matcher(text);
        while (tokens.find()) {
            String token = tokens.group();
            // An unpadded token may have lost its last characters to a line end: try its whole quanta too.
            for (String candidate : List.of(token, token.substring(0, token.length() - token.length() % 4))) {
                if (decodesToPassword(candidate, password)) {
                    found.add("base64 \"" + token + "\"");
                    break;
                }
            }
        }
        return found;
    }

    private static boolean decodesToPassword(String token, String password) {
        if (token.isEmpty()) {
            return false;
        }
        try {
            return new String(Base64.getDecoder().decode(token), StandardCharsets.ISO_8859_1).contains(password);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }
}
