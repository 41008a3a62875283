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

    /**
     * What this policy does to a connection, in a sentence or two for operators, e.g. in the
     * output of {@code mailtls policy}.
     */
    public String describe() {
        String refusal;
        switch (action) {
            case REJECT:
                refusal = "A connection that does not comply is refused and the message bounces (5.7.x).";
                break;
            case AUDIT:
                refusal = "A connection that does not comply still sends, with the best TLS available, and the violation is logged (audit: no protection).";
                break;
            default:
                refusal = "A connection that does not comply is refused and the message is deferred for a retry (4.7.x).";
        }
        switch (level) {
            case NONE:
                return "No TLS: mail is sent in plaintext even when the server offers STARTTLS.";
            case MAY:
                return "Opportunistic TLS: STARTTLS when offered, any certificate accepted; plaintext when the server"
                        + " offers no TLS or the handshake fails. Protects against passive eavesdropping only.";
            case ENCRYPT:
                return "TLS required, any certificate accepted: protects against passive eavesdropping, not against an"
                        + " active attacker who presents his own certificate. " + refusal;
            case DANE:
                return "DANE: where the destination's DNSSEC-signed TLSA records are usable, TLS is required and the"
                        + " certificate must match them; where all its TLSA records are unusable, TLS is required without"
                        + " authentication; where it publishes none (or DNS is not signed), level " + daneFallback
                        + " applies. A failed or bogus DNS lookup defers. " + refusal;
            case DANE_ONLY:
                return "DANE required: the destination must publish usable DNSSEC-signed TLSA records and the certificate"
                        + " must match them; without them no connection is made. " + refusal;
            case VERIFY:
                return "TLS required with a certificate valid under the PKIX trust store and naming the server host."
                        + " Note: the host name comes from DNS, which an attacker may forge where it is not DNSSEC-signed. "
                        + refusal;
            default:
                return "TLS required with a certificate valid under the PKIX trust store and naming the next-hop"
                        + " domain (or a subdomain of it), so a forged MX record cannot redirect mail. " + refusal;
        }
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
