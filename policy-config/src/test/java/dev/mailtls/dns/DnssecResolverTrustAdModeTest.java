package dev.mailtls.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.testing.DnsReplies;
import dev.mailtls.testing.FakeDnsServer;
import dev.mailtls.testing.FakeDnsServer.Reply;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** trust-ad mode: the AD bit of a loopback resolver decides, scripted here by the test. */
class DnssecResolverTrustAdModeTest {
    private static final String SOA = "example.test. 300 IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60";

    private FakeDnsServer server;
    private FakeDnsServer secondServer;
    private DnssecResolver resolver;

    @AfterEach
    void stop() {
        if (resolver != null) {
            resolver.close();
        }
        if (server != null) {
            server.close();
        }
        if (secondServer != null) {
            secondServer.close();
        }
    }

    private DnssecResolver start(FakeDnsServer.Responder responder) throws Exception {
        server = FakeDnsServer.start(responder);
        resolver = DnssecResolver.create(settings(500, server.address()));
        return resolver;
    }

    private static DnsSettings settings(long timeoutMillis, InetSocketAddress... servers) {
        return new DnsSettings(Arrays.asList(servers), DnssecMode.TRUST_AD, "", "none", timeoutMillis);
    }

    @Test
    void answerWithAdBitIsSecure() throws Exception {
        start(query -> Reply.message(DnsReplies.answer(query, true, "mx.example.test. 300 IN A 192.0.2.1")));

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.SECURE);
        assertThat(answer.records()).hasSize(1);
        assertThat(answer.reason()).contains("AD bit");
    }

    @Test
    void answerWithoutAdBitIsInsecure() throws Exception {
        start(query -> Reply.message(DnsReplies.answer(query, false, "mx.example.test. 300 IN A 192.0.2.1")));

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INSECURE);
        assertThat(answer.records()).hasSize(1);
    }

    @Test
    void authenticatedNxdomainIsASecureAnswerNotAnError() throws Exception {
        start(query -> Reply.message(DnsReplies.negative(query, Rcode.NXDOMAIN, true, SOA)));

        DnsAnswer answer = resolver.lookup("_25._tcp.mx.example.test", Type.TLSA);

        assertThat(answer.status()).isEqualTo(DnsStatus.SECURE);
        assertThat(answer.kind()).isEqualTo(DnsAnswer.Kind.NO_SUCH_NAME);
    }

    @Test
    void servfailWithDnssecExtendedErrorIsBogus() throws Exception {
        start(query -> Reply.message(DnsReplies.servfail(query, ExtendedErrorCodeOption.DNSSEC_BOGUS, "signature mismatch")));

        DnsAnswer answer = resolver.lookup("_25._tcp.mx.example.test", Type.TLSA);

        assertThat(answer.status()).isEqualTo(DnsStatus.BOGUS);
        assertThat(answer.reason()).contains("EDE 6", "signature mismatch");
    }

    @Test
    void servfailWithoutDetailIsIndeterminate() throws Exception {
        start(query -> Reply.message(DnsReplies.servfail(query, null, null)));

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INDETERMINATE);
        assertThat(answer.reason()).contains("SERVFAIL");
    }

    @Test
    void serverThatNeverAnswersGivesIndeterminate() throws Exception {
        start(query -> Reply.none());

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INDETERMINATE);
        assertThat(answer.isAnswer()).isFalse();
    }

    @Test
    void garbledReplyGivesIndeterminateInsteadOfAnException() throws Exception {
        start(query -> {
            byte[] garbage = new byte[40];
            Arrays.fill(garbage, (byte) 0xA5);
            garbage[0] = (byte) (query.getHeader().getID() >> 8);
            garbage[1] = (byte) query.getHeader().getID();
            return Reply.bytes(garbage);
        });

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INDETERMINATE);
        assertThat(answer.reason()).isNotEmpty();
    }

    @Test
    void replyCutShortInsideARecordIsIndeterminate() throws Exception {
        start(query -> {
            byte[] whole = DnsReplies.answer(query, true, "mx.example.test. 300 IN A 192.0.2.1").toWire();
            return Reply.bytes(Arrays.copyOf(whole, whole.length - 3));
        });

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INDETERMINATE);
    }

    @Test
    void replyWithoutQuestionIsIndeterminate() throws Exception {
        start(query -> {
            Message reply = new Message(query.getHeader().getID());
            reply.getHeader().setFlag(Flags.QR);
            reply.getHeader().setFlag(Flags.AD);
            return Reply.message(reply);
        });

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INDETERMINATE);
    }

    @Test
    void truncatedUdpReplyIsRetriedOverTcp() throws Exception {
        server = FakeDnsServer.start(query -> {
            Message truncated = DnsReplies.answer(query, true);
            truncated.getHeader().setFlag(Flags.TC);
            return Reply.message(truncated);
        }, query -> Reply.message(DnsReplies.answer(query, true, "mx.example.test. 300 IN A 192.0.2.1")));
        resolver = DnssecResolver.create(settings(2000, server.address()));

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.SECURE);
        assertThat(answer.records()).hasSize(1);
        assertThat(server.receivedQueries()).hasSize(2);
    }

    @Test
    void unexpectedRecordTypeInTheAnswerIsIndeterminate() throws Exception {
        start(query -> Reply.message(DnsReplies.answer(query, true, "mx.example.test. 300 IN MX 10 other.example.test.")));

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INDETERMINATE);
        assertThat(answer.reason()).contains("unexpected MX record");
    }

    @Test
    void recordsForOtherNamesAreIgnored() throws Exception {
        start(query -> Reply.message(DnsReplies.answer(query, true, "mx.example.test. 300 IN A 192.0.2.1",
                "victim.example.test. 300 IN A 203.0.113.66")));

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.SECURE);
        assertThat(answer.records()).extracting(r -> r.getName().toString()).containsExactly("mx.example.test.");
    }

    @Test
    void queriesSetTheDoBitAndNeverTheCdBit() throws Exception {
        start(query -> Reply.message(DnsReplies.answer(query, true, "mx.example.test. 300 IN A 192.0.2.1")));

        resolver.lookup("mx.example.test", Type.A);

        List<byte[]> queries = server.receivedQueries();
        assertThat(queries).hasSize(1);
        byte[] raw = queries.get(0);
        // The CD bit is bit 4 of the fourth header byte (RFC 4035 §3.2.2).
        assertThat(raw[3] & 0x10).isZero();
        Message query = new Message(raw);
        assertThat(query.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(query.getOPT().getFlags() & ExtendedFlags.DO).isNotZero();
    }

    @Test
    void insecureCnameChainIsProbedToFindTheFirstInsecureHop() throws Exception {
        start(query -> {
            if (query.getQuestion().getType() == Type.CNAME) {
                return Reply.message(DnsReplies.answer(query, true, "mail.example.test. 300 IN CNAME mx.hoster.test."));
            }
            return Reply.message(DnsReplies.answer(query, false, "mail.example.test. 300 IN CNAME mx.hoster.test.",
                    "mx.hoster.test. 300 IN A 192.0.2.7"));
        });

        DnsAnswer answer = resolver.lookup("mail.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INSECURE);
        assertThat(answer.canonicalName().toString()).isEqualTo("mx.hoster.test.");
        assertThat(answer.aliases()).extracting(DnsAnswer.Alias::status).containsExactly(DnsStatus.SECURE);
    }

    @Test
    void failedProbeOfACnameHopFailsTheLookup() throws Exception {
        start(query -> query.getQuestion().getType() == Type.CNAME
                ? Reply.message(DnsReplies.servfail(query, null, null))
                : Reply.message(DnsReplies.answer(query, false, "mail.example.test. 300 IN CNAME mx.hoster.test.",
                        "mx.hoster.test. 300 IN A 192.0.2.7")));

        DnsAnswer answer = resolver.lookup("mail.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INDETERMINATE);
        assertThat(answer.reason()).contains("cannot tell whether mail.example.test. CNAME mx.hoster.test. is signed");
    }

    @Test
    void chainThatTheResolverDidNotFinishIsFollowedWithAnotherQuery() throws Exception {
        start(query -> query.getQuestion().getName().toString().equals("mail.example.test.")
                ? Reply.message(DnsReplies.answer(query, true, "mail.example.test. 300 IN CNAME mx.hoster.test."))
                : Reply.message(DnsReplies.answer(query, true, "mx.hoster.test. 300 IN A 192.0.2.7")));

        DnsAnswer answer = resolver.lookup("mail.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.SECURE);
        assertThat(answer.records()).hasSize(1);
        assertThat(server.received()).extracting(q -> q.getQuestion().getName().toString())
                .containsExactly("mail.example.test.", "mx.hoster.test.");
    }

    @Test
    void cnameLoopIsIndeterminate() throws Exception {
        start(query -> Reply.message(DnsReplies.answer(query, true, "a.example.test. 300 IN CNAME b.example.test.",
                "b.example.test. 300 IN CNAME a.example.test.")));

        DnsAnswer answer = resolver.lookup("a.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.INDETERMINATE);
        assertThat(answer.reason()).contains("CNAME loop");
    }

    @Test
    void secondServerAnswersWhenTheFirstIsSilent() throws Exception {
        server = FakeDnsServer.start(query -> Reply.none());
        secondServer = FakeDnsServer.start(query -> Reply.message(
                DnsReplies.answer(query, true, "mx.example.test. 300 IN A 192.0.2.1")));
        resolver = DnssecResolver.create(settings(2000, server.address(), secondServer.address()));

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);

        assertThat(answer.status()).isEqualTo(DnsStatus.SECURE);
        assertThat(server.receivedQueries()).hasSize(1);
    }

    @Test
    void interruptedCallerGetsIndeterminateAndKeepsItsInterruptFlag() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        start(query -> {
            asked.incrementAndGet();
            return Reply.message(DnsReplies.answer(query, true, "mx.example.test. 300 IN A 192.0.2.1"));
        });

        Thread.currentThread().interrupt();
        DnsAnswer answer;
        try {
            answer = resolver.lookup("mx.example.test", Type.A);
        } finally {
            assertThat(Thread.interrupted()).as("interrupt flag kept").isTrue();
        }

        assertThat(answer.status()).isEqualTo(DnsStatus.INDETERMINATE);
        assertThat(answer.reason()).contains("interrupted");
    }

    @Test
    void trustAdRefusesAResolverThatIsNotOnLoopback() {
        DnsSettings remote = settings(1000, new InetSocketAddress("192.0.2.53", 53));

        assertThat(remote.problem()).contains("192.0.2.53:53", "not on a loopback address");
        assertThatThrownBy(() -> DnssecResolver.create(remote)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trust-ad");
    }

    @Test
    void validateModeWithoutTrustAnchorsIsRefused() {
        DnsSettings noAnchors = new DnsSettings(List.of(new InetSocketAddress("127.0.0.1", 53)), DnssecMode.VALIDATE,
                " ", "/etc/mailtls/anchors.txt", 1000);

        assertThatThrownBy(() -> DnssecResolver.create(noAnchors)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/etc/mailtls/anchors.txt holds none");
    }
}
