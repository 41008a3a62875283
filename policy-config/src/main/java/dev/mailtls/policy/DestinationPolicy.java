package dev.mailtls.policy;

/**
 * The policy that applies to one destination: a {@link TlsLevel}, for {@link TlsLevel#DANE} the
 * level that applies when the destination publishes no usable DNSSEC-secure TLSA records
 * ({@code fallback}), and the {@link PolicyAction} taken when a connection does not comply.
 * Immutable; build one with {@link #of(TlsLevel, PolicyAction)} or {@link #dane(TlsLevel, PolicyAction)}.
 */
public final class DestinationPolicy {
    private final TlsLevel level;
    private final TlsLevel daneFallback;
    private final PolicyAction action;

    private DestinationPolicy(TlsLevel level, TlsLevel daneFallback, PolicyAction action) {
        this.level = level;
        this.daneFallback = daneFallback;
        this.action = action;
    }

    /** A policy of any level but {@link TlsLevel#DANE} (which needs its fallback: use {@link #dane}). */
    public static DestinationPolicy of(TlsLevel level, PolicyAction action) {
        if (level == TlsLevel.DANE) {
            return dane(TlsLevel.MAY, action);
        }
        return new DestinationPolicy(checkNotNull(level, "level"), null, checkNotNull(action, "action"));
    }

    /**
     * A {@link TlsLevel#DANE} policy whose destinations without usable TLSA records get
     * {@code fallback}: one of {@code may}, {@code encrypt}, {@code verify}, {@code secure}.
     */
    public static DestinationPolicy dane(TlsLevel fallback, PolicyAction action) {
        if (!isAllowedDaneFallback(fallback)) {
            throw new IllegalArgumentException("fallback must be one of " + ALLOWED_DANE_FALLBACKS
                    + ", not " + fallback);
        }
        return new DestinationPolicy(TlsLevel.DANE, fallback, checkNotNull(action, "action"));
    }

    /** The levels a {@code dane} policy may fall back to, for error messages. */
    public static final String ALLOWED_DANE_FALLBACKS = "may, encrypt, verify, secure";

    /** Whether {@code level} may be the fallback of a {@code dane} policy. */
    public static boolean isAllowedDaneFallback(TlsLevel level) {
        return level == TlsLevel.MAY || level == TlsLevel.ENCRYPT
                || level == TlsLevel.VERIFY || level == TlsLevel.SECURE;
    }

    public TlsLevel level() {
        return level;
    }

    /**
     * For {@link TlsLevel#DANE}: the level applied when the destination has no usable secure TLSA
     * records. {@code null} for every other level.
     */
    public TlsLevel daneFallback() {
        return daneFallback;
    }

    public PolicyAction action() {
        return action;
    }

    /** The policy in configuration syntax, e.g. {@code dane fallback=encrypt action=defer}. */
    @Override
    public String toString() {
        return level.configName() + (daneFallback == null ? "" : " fallback=" + daneFallback.configName())
                + " action=" + action.configName();
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof DestinationPolicy)) {
            return false;
        }
        DestinationPolicy that = (DestinationPolicy) other;
        return level == that.level && daneFallback == that.daneFallback && action == that.action;
    }

    @Override
    public int hashCode() {
        return (level.hashCode() * 31 + (daneFallback == null ? 0 : daneFallback.hashCode())) * 31 + action.hashCode();
    }

    private static <T> T checkNotNull(T value, String name) {
        if (value == null) {
            throw new NullPointerException(name);
        }
        return value;
    }
}
