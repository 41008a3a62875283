package dev.mailtls.james;

/**
 * What the mailet counts, for James's metrics where James offers them ({@link JamesDeliveryMetrics})
 * and for nobody otherwise ({@link #NONE}, e.g. under {@code FakeMailContext}). Counters are per
 * recipient, as Postfix's log counts them; the timer is per delivery attempt of one mail.
 */
interface DeliveryMetrics {
    /** Counts nothing. */
    DeliveryMetrics NONE = new DeliveryMetrics() {
        @Override
        public void delivered() {
        }

        @Override
        public void deferred() {
        }

        @Override
        public void bounced() {
        }

        @Override
        public void audited() {
        }

        @Override
        public Timer attempt() {
            return () -> {
            };
        }
    };

    /** A recipient the server accepted. */
    void delivered();

    /** A recipient put back for a later attempt. */
    void deferred();

    /** A recipient returned to its sender (at once, or when its retries ran out). */
    void bounced();

    /** A connection the policy refused but {@code action=audit} let through. */
    void audited();

    /** Starts timing one delivery attempt of a mail. */
    Timer attempt();

    /** A running timer. */
    interface Timer {
        void stop();
    }
}
