package dev.mailtls.bench;

import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.dane.TlsaSet;
import dev.mailtls.tls.ReferenceIdentifiers;
import dev.mailtls.tls.VerificationOutcome;
import dev.mailtls.tls.VerificationRequirement;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * DANE verification of one server chain (leaf, intermediate, root; RSA-2048, as most MX
 * certificates are) against a 4-record TLSA RRset, as the trust manager does it once per
 * handshake: digest matching, for DANE-TA the chain validation up to the anchor, and the name
 * check. Budget: 20 µs per verification.
 *
 * <ul>
 *   <li>{@code ee}: the RRset of a key roll-over in progress: {@code 3 1 1} for the next key,
 *       {@code 3 1 1} for the current key (matches), and two DANE-TA records.</li>
 *   <li>{@code ta}: two stale {@code 3 1 1} records; {@code 2 1 1} for the intermediate matches,
 *       so the leaf's signature and the chain are validated; {@code 2 0 1} for the root.</li>
 * </ul>
 *
 * The certificates are made by the JDK's {@code keytool} at set-up, so the benchmark needs a JDK
 * (not a JRE) to run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DaneVerificationBenchmark {
    @Param({"ee", "ta"})
    public String matchedBy;

    private List<X509Certificate> chain;
    private VerificationRequirement requirement;
    private Date now;
    private byte[][] encoded;
    private CertificateFactory certificateFactory;
    private byte[] leafTbs;
    private byte[] leafSignature;
    private String leafSignatureAlgorithm;
    private PublicKey issuerKey;

    @Setup
    public void makeChainAndRecords() throws Exception {
        chain = keytoolChain();
        X509Certificate leaf = chain.get(0);
        X509Certificate intermediate = chain.get(1);
        X509Certificate root = chain.get(2);
        TlsaRecord nextKey = TlsaRecord.of(3, 1, 1, new byte[32]);
        TlsaRecord staleKey = TlsaRecord.of(3, 1, 1, filled(32, (byte) 0x5a));
        TlsaSet.Builder tlsa = TlsaSet.builder().baseDomain("mx.example.com", 25);
        if (matchedBy.equals("ee")) {
            tlsa.add(nextKey).add(TlsaRecord.forCertificate(3, 1, 1, leaf));
        } else {
            tlsa.add(nextKey).add(staleKey);
        }
        tlsa.add(TlsaRecord.forCertificate(2, 1, 1, intermediate)).add(TlsaRecord.forCertificate(2, 0, 1, root));
        requirement = VerificationRequirement.dane(tlsa.build(), ReferenceIdentifiers.of("example.com"));
        now = new Date();
        certificateFactory = CertificateFactory.getInstance("X.509");
        encoded = new byte[][] {leaf.getEncoded(), intermediate.getEncoded(), root.getEncoded()};
        leafTbs = leaf.getTBSCertificate();
        leafSignature = leaf.getSignature();
        leafSignatureAlgorithm = leaf.getSigAlgName();
        issuerKey = intermediate.getPublicKey();
        if (!leafSignatureCheckOnly()) {
            throw new IllegalStateException("the leaf's signature does not verify with the intermediate's key");
        }
        VerificationOutcome check = requirement.evaluate(chain, now);
        if (!check.isAuthenticated() || check.daneMatch().depth() != (matchedBy.equals("ee") ? 0 : 1)) {
            throw new IllegalStateException("benchmark set-up does not verify as intended: " + check);
        }
    }

    /**
     * The same certificate objects every time. The JDK caches a certificate's signature check per
     * key, so for {@code ta} this measures matching and path logic without the RSA verification.
     */
    @Benchmark
    public VerificationOutcome verifyChain() {
        return requirement.evaluate(chain, now);
    }

    /**
     * Certificates decoded from their bytes, as each handshake delivers them, with the decoding
     * measured alone by {@link #decodeChainOnly()}. The JDK's {@code CertificateFactory} keeps
     * recently decoded certificates and hands out the same object for the same bytes, so this
     * still reuses the cached signature check, as repeated handshakes with one server do (JSSE
     * decodes through the same factory). The signature check of a first contact under {@code ta}
     * is {@link #leafSignatureCheckOnly()}.
     */
    @Benchmark
    public VerificationOutcome verifyFreshlyDecodedChain() throws CertificateException {
        return requirement.evaluate(decode(), now);
    }

    /**
     * What a first contact adds under {@code ta}: one RSA-2048 signature check, the leaf's by the
     * intermediate's key (under {@code ee} nothing is checked but the digest). The same for both
     * parameter values.
     */
    @Benchmark
    public boolean leafSignatureCheckOnly() throws GeneralSecurityException {
        Signature signature = Signature.getInstance(leafSignatureAlgorithm);
        signature.initVerify(issuerKey);
        signature.update(leafTbs);
        return signature.verify(leafSignature);
    }

    /** The decoding part of {@link #verifyFreshlyDecodedChain()}, to subtract from it. */
    @Benchmark
    public List<X509Certificate> decodeChainOnly() throws CertificateException {
        return decode();
    }

    private List<X509Certificate> decode() throws CertificateException {
        List<X509Certificate> decoded = new ArrayList<>(encoded.length);
        for (byte[] der : encoded) {
            decoded.add((X509Certificate) certificateFactory.generateCertificate(new ByteArrayInputStream(der)));
        }
        return decoded;
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }

    /** Root CA, intermediate CA and a leaf for mx.example.com, made by keytool in a temporary directory. */
    private static List<X509Certificate> keytoolChain() throws Exception {
        Path directory = Files.createTempDirectory("dane-bench");
        try {
            String[] rsaKey = {"-keyalg", "RSA", "-keysize", "2048", "-validity", "30"};
            keytool(directory, rsaKey, "-genkeypair", "-alias", "root", "-dname", "CN=Bench Root CA", "-ext", "bc:c");
            keytool(directory, rsaKey, "-genkeypair", "-alias", "intermediate", "-dname", "CN=Bench Intermediate CA");
            keytool(directory, rsaKey, "-genkeypair", "-alias", "leaf", "-dname", "CN=mx.example.com");
            keytool(directory, NONE, "-certreq", "-alias", "intermediate", "-file", "intermediate.csr");
            keytool(directory, NONE, "-gencert", "-alias", "root", "-infile", "intermediate.csr", "-outfile", "intermediate.pem",
                    "-rfc", "-validity", "30", "-ext", "bc:c=ca:true,pathlen:0", "-ext", "ku:c=keyCertSign,cRLSign");
            keytool(directory, NONE, "-certreq", "-alias", "leaf", "-file", "leaf.csr");
            keytool(directory, NONE, "-gencert", "-alias", "intermediate", "-infile", "leaf.csr", "-outfile", "leaf.pem", "-rfc",
                    "-validity", "30", "-ext", "san=dns:mx.example.com");
            keytool(directory, NONE, "-exportcert", "-alias", "root", "-rfc", "-file", "root.pem");
            List<X509Certificate> chain = new ArrayList<>();
            for (String name : new String[] {"leaf.pem", "intermediate.pem", "root.pem"}) {
                try (InputStream in = Files.newInputStream(directory.resolve(name))) {
                    for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        chain.add((X509Certificate) certificate);
                    }
                }
            }
            return List.of(chain.get(0), chain.get(1), chain.get(2));
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    private static final String[] NONE = {};

    private static void keytool(Path directory, String[] keyOptions, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of(keyOptions));
        command.addAll(List.of("-keystore", "keys.p12", "-storepass", "changeit", "-storetype", "PKCS12", "-noprompt"));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed (the benchmark needs a JDK): " + output);
        }
    }
}
