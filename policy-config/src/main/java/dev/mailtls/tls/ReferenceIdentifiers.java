package dev.mailtls.tls;

import java.net.IDN;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The DNS names a server certificate may carry to be accepted (RFC 6125 "reference identifiers"),
 * e.g. the TLSA base domain, the next-hop domain and its CNAME-expanded form for DANE-TA
 * (RFC 7672 §3.2.2), or the MX host name for PKIX at {@code verify}. Immutable; names are kept
 * lower-case, without a trailing dot, in A-label form.
 *
 * <p>Matching follows RFC 7672 §3.2.3 and RFC 6125: if the certificate has subject-alternative-name
 * DNS names, only those count; the subject's common name counts only when there are none. A
 * wildcard is accepted only as the whole left-most label ({@code *.example.com}) and stands for
 * exactly one label: it matches {@code mx.example.com}, not {@code a.b.example.com} nor
 * {@code example.com}. Partial-label wildcards such as {@code m*.example.com} never match.
 *
 * <p>A reference identifier with a leading dot, {@code .example.com}, stands for every name below
 * {@code example.com} (Postfix's "dot-nexthop", used by the {@code secure} level): it matches
 * {@code mx.example.com} and {@code a.b.example.com}, and a presented wildcard such as
 * {@code *.mx.example.com}, but not {@code example.com} itself.
 */
public final class ReferenceIdentifiers {
    private static final ReferenceIdentifiers NONE = new ReferenceIdentifiers(Collections.<String>emptyList());

    private final List<String> names;

    private ReferenceIdentifiers(List<String> names) {
        this.names = Collections.unmodifiableList(names);
    }

    /** No names: only acceptable where no name check applies (DANE-EE, or accept-any). */
    public static ReferenceIdentifiers none() {
        return NONE;
    }

    /**
     * These names, in order, without duplicates.
     *
     * @throws IllegalArgumentException quoting a name that is empty or contains a wildcard
     */
    public static ReferenceIdentifiers of(String... names) {
        return NONE.plus(Arrays.asList(names));
    }

    public static ReferenceIdentifiers of(Collection<String> names) {
        return NONE.plus(names);
    }

    /** These names followed by {@code more}, without duplicates. */
    public ReferenceIdentifiers plus(Collection<String> more) {
        List<String> all = new ArrayList<String>(names);
        for (String name : more) {
            String normal = normalizeReference(name);
            if (!all.contains(normal)) {
                all.add(normal);
            }
        }
        return new ReferenceIdentifiers(all);
    }

    /** {@code first} followed by these names: the TLSA base domain always heads a DANE-TA list. */
    public ReferenceIdentifiers withFirst(String first) {
        List<String> all = new ArrayList<String>();
        all.add(first);
        all.addAll(names);
        return NONE.plus(all);
    }

    public List<String> names() {
        return names;
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    /**
     * The first reference identifier that {@code certificate} matches, or {@code null} when it
     * matches none.
     */
    public String matchedBy(X509Certificate certificate) {
        List<String> presented = presentedNames(certificate);
        for (String reference : names) {
            for (String name : presented) {
                if (matches(name, reference)) {
                    return reference;
                }
            }
        }
        return null;
    }

    /**
     * The DNS names {@code certificate} presents: its SAN DNS names, or when it has none, its
     * subject's most specific common name. Lower-case, without a trailing dot.
     */
    public static List<String> presentedNames(X509Certificate certificate) {
        List<String> dnsNames = new ArrayList<String>();
        Collection<List<?>> alternativeNames;
        try {
            alternativeNames = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            // A broken SAN extension may hide DNS names; falling back to the CN would accept a name the issuer did not vouch for.
            return dnsNames;
        }
        if (alternativeNames != null) {
            for (List<?> entry : alternativeNames) {
                if (entry.size() >= 2 && Integer.valueOf(2).equals(entry.get(0)) && entry.get(1) instanceof String) {
                    dnsNames.add(normalizePresented((String) entry.get(1)));
                }
            }
        }
        if (dnsNames.isEmpty()) {
            String commonName = commonName(certificate);
            if (commonName != null) {
                dnsNames.add(normalizePresented(commonName));
            }
        }
        return dnsNames;
    }

    /** Whether one presented name (possibly {@code *.example.com}) matches one reference identifier. */
    static boolean matches(String presented, String reference) {
        if (reference.startsWith(".")) {
            // Any name strictly below the domain; a wildcard's left-most label is one name below its parent.
            String candidate = presented.startsWith("*.") && presented.indexOf('*', 1) < 0 ? presented.substring(1) : presented;
            return candidate.indexOf('*') < 0 && candidate.endsWith(reference) && candidate.length() > reference.length()
                    || candidate.equals(reference) && presented.startsWith("*.");
        }
        if (presented.indexOf('*') < 0) {
            return presented.equals(reference);
        }
        if (!presented.startsWith("*.") || presented.indexOf('*', 1) >= 0) {
            return false;
        }
        String parent = presented.substring(1);
        if (parent.indexOf('.', 1) < 0) {
            // "*.com": a wildcard directly under a top-level domain is never a legitimate server name.
            return false;
        }
        int firstDot = reference.indexOf('.');
        return firstDot > 0 && reference.substring(firstDot).equals(parent);
    }

    private static String commonName(X509Certificate certificate) {
        try {
            List<Rdn> rdns = new LdapName(certificate.getSubjectX500Principal().getName()).getRdns();
            // LdapName lists RDNs least specific first, so the last CN is the most specific one.
            for (int i = rdns.size() - 1; i >= 0; i--) {
                Rdn rdn = rdns.get(i);
                if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String) {
                    return (String) rdn.getValue();
                }
            }
        } catch (InvalidNameException e) {
            // X500Principal produces valid RFC 2253 names; a failure here means no usable CN.
        }
        return null;
    }

    private static String normalizePresented(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static String normalizeReference(String name) {
        if (name == null || name.trim().isEmpty()) {
            throw new IllegalArgumentException("a reference identifier must be a DNS name, not \"" + name + "\"");
        }
        if (name.indexOf('*') >= 0) {
            throw new IllegalArgumentException("reference identifier \"" + name
                    + "\" contains a wildcard; wildcards belong in certificates, give the actual host or domain name");
        }
        String normal = normalizePresented(name);
        if (normal.startsWith(".") && (normal.length() == 1 || normal.charAt(1) == '.')) {
            throw new IllegalArgumentException("reference identifier \"" + name + "\" names no domain after its leading dot");
        }
        for (int i = 0; i < normal.length(); i++) {
            if (normal.charAt(i) > 0x7f) {
                // Certificates carry A-labels (xn--...), so compare in that form.
                return IDN.toASCII(normal, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            }
        }
        return normal;
    }

    /** The names, comma-separated, e.g. {@code mx.example.com, example.com}. */
    @Override
    public String toString() {
        return String.join(", ", names);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReferenceIdentifiers && names.equals(((ReferenceIdentifiers) other).names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }
}
