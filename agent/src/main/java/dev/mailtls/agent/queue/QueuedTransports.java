package dev.mailtls.agent.queue;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The application's transport objects whose current connection is a queued one, by identity and
 * weakly: a transport the application drops without closing it is forgotten with it, and no
 * application class loader is kept alive from here. Thread-safe.
 */
final class QueuedTransports {
    private final Map<Key, QueuedConnection> connections = new ConcurrentHashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    void put(Object transport, QueuedConnection connection) {
        expunge();
        connections.put(new Key(transport, collected), connection);
    }

    /** The queued connection of {@code transport}, or {@code null}. */
    QueuedConnection get(Object transport) {
        if (connections.isEmpty()) {
            // The common case, on every isConnected() and sendMessage() of every transport.
            return null;
        }
        return connections.get(new Key(transport, null));
    }

    void remove(Object transport) {
        if (!connections.isEmpty()) {
            connections.remove(new Key(transport, null));
        }
        expunge();
    }

    private void expunge() {
        for (Reference<?> gone = collected.poll(); gone != null; gone = collected.poll()) {
            connections.remove(gone);
        }
    }

    /** Identity of a referent that may be collected; a collected key equals only itself. */
    private static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Key)) {
                return false;
            }
            Object referent = get();
            return referent != null && referent == ((Key) other).get();
        }
    }
}
