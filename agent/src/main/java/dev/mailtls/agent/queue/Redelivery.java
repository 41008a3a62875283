package dev.mailtls.agent.queue;

import java.util.concurrent.Callable;

/**
 * Marks the thread that re-sends a queued message for the length of one attempt. The retry goes
 * through the application's own, instrumented transport, so it meets the policy afresh; a
 * deferral there must come back to the queue worker as that attempt's result, not be queued a
 * second time, and this mark is how the guard tells the two apart.
 */
public final class Redelivery {
    private static final ThreadLocal<Boolean> ACTIVE = new ThreadLocal<>();

    private Redelivery() {
    }

    /** Whether the current thread is re-sending a queued message. */
    public static boolean onThisThread() {
        return ACTIVE.get() != null;
    }

    /** Runs {@code attempt} with the current thread marked; the mark is gone afterwards, whatever happens. */
    static <T> T run(Callable<T> attempt) throws Exception {
        ACTIVE.set(Boolean.TRUE);
        try {
            return attempt.call();
        } finally {
            ACTIVE.remove();
        }
    }
}
