package dev.mailtls.agent.guard;

import java.lang.reflect.Method;

/**
 * What {@code SMTPTransport.protocolConnect} reads from its Session before it connects: the port
 * it will dial when the application names none ({@code mail.<protocol>.port}, else 465 for smtps
 * and 25 for smtp) and whether it insists on authentication ({@code mail.<protocol>.auth}). Read
 * reflectively: the Session is javax or jakarta depending on the application.
 */
final class SessionPorts {
    private SessionPorts() {
    }

    static int configuredPort(Object session, String protocol) {
        int fallback = "smtps".equals(protocol) ? 465 : 25;
        if (session == null) {
            return fallback;
        }
        try {
            Method getProperty = session.getClass().getMethod("getProperty", String.class);
            Object value = getProperty.invoke(session, "mail." + protocol + ".port");
            return value == null ? fallback : Integer.parseInt(value.toString().trim());
        } catch (ReflectiveOperationException | RuntimeException unreadable) {
            // A malformed port makes the library itself fail; until then the default is the best guess.
            return fallback;
        }
    }

    /**
     * Whether {@code mail.<protocol>.auth} is on (a string or a {@code Boolean}, as the library
     * reads it): without both user and password the library then returns false before connecting.
     */
    static boolean requiresAuth(Object session, String protocol) {
        if (session == null) {
            return false;
        }
        try {
            Object properties = session.getClass().getMethod("getProperties").invoke(session);
            Object value = ((java.util.Properties) properties).get("mail." + protocol + ".auth");
            return value instanceof Boolean ? (Boolean) value : value != null && Boolean.parseBoolean(value.toString().trim());
        } catch (ReflectiveOperationException | RuntimeException unreadable) {
            // Then the connection is decided at once, as without a queue: the application gets the deferral.
            return false;
        }
    }
}
