package dev.mailtls.dns;

/**
 * How DNS answers are authenticated.
 *
 * <ul>
 *   <li>{@link #VALIDATE}: MailTLS Guard validates DNSSEC signatures itself (dnsjava's
 *       {@code ValidatingResolver}) from the configured trust anchors. Works with any recursive
 *       resolver, even an untrusted one across the network: a forged answer fails validation.</li>
 *   <li>{@link #TRUST_AD}: the Postfix model. Queries carry the DO bit and the answer counts as
 *       secure when the resolver sets the AD bit. The AD bit itself is not signed, so anybody on
 *       the path could set it: only allowed with resolvers on a loopback address.</li>
 * </ul>
 */
public enum DnssecMode {
    VALIDATE("validate"),
    TRUST_AD("trust-ad");

    private final String configName;

    DnssecMode(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The mode with this configuration name, or {@code null}. */
    public static DnssecMode forConfigName(String name) {
        for (DnssecMode mode : values()) {
            if (mode.configName.equalsIgnoreCase(name)) {
                return mode;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return configName;
    }
}
