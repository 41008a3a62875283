package dev.mailtls.agent.queue;

import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The application's SMTP transport classes that have been seen governed by the policy (their
 * instrumented {@code protocolConnect} called the guard), weakly, newest last. The queue re-sends
 * only through one of these: that retry is then itself under the policy, and the class tells
 * which class loader holds the application's mail library. None is known after a restart until
 * the application makes its first SMTP connection. Thread-safe.
 */
final class GovernedTransports {
    private final List<WeakReference<Class<?>>> classes = new CopyOnWriteArrayList<>();

    /** Records {@code transportClass}; cheap when it is known already (every connection calls this). */
    void governed(Class<?> transportClass) {
        for (WeakReference<Class<?>> known : classes) {
            if (known.get() == transportClass) {
                return;
            }
        }
        synchronized (classes) {
            for (Iterator<WeakReference<Class<?>>> known = classes.iterator(); known.hasNext();) {
                WeakReference<Class<?>> reference = known.next();
                if (reference.get() == transportClass) {
                    return;
                }
                if (reference.get() == null) {
                    classes.remove(reference);
                }
            }
            classes.add(new WeakReference<Class<?>>(transportClass));
        }
    }

    /**
     * The governed class named {@code className} (the one that took the message), newest first;
     * else the newest governed class of any name, so that a message outlives a change of mail
     * library; {@code null} when none is known in this JVM.
     */
    Class<?> find(String className) {
        Class<?> newest = null;
        for (WeakReference<Class<?>> known : classes) {
            Class<?> candidate = known.get();
            if (candidate == null) {
                continue;
            }
            if (candidate.getName().equals(className)) {
                newest = candidate;
            }
        }
        if (newest != null) {
            return newest;
        }
        for (WeakReference<Class<?>> known : classes) {
            Class<?> candidate = known.get();
            if (candidate != null) {
                newest = candidate;
            }
        }
        return newest;
    }

    /** Whether {@code type} is a governed class or inherits from one (SMTPSSLTransport from SMTPTransport). */
    boolean isGoverned(Class<?> type) {
        for (Class<?> ancestor = type; ancestor != null; ancestor = ancestor.getSuperclass()) {
            for (WeakReference<Class<?>> known : classes) {
                if (known.get() == ancestor) {
                    return true;
                }
            }
        }
        return false;
    }
}
