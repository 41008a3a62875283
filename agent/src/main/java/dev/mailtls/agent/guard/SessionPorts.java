package dev.mailtls.agent.guard;

import java.lang.reflect.Method;

/**
 * The port a transport will dial when the application names none: {@code mail.<protocol>.port}
 * from its Session, else the protocol's default (465 for smtps, 25 for smtp), as
 * {@code SMTPTransport.protocolConnect} decides. Read reflectively: the Session is javax or
 * jakarta depending on the application.
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
}
