package dev.mailtls.it.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;

/**
 * The agent in unmodified applications: one sample application per mail library generation
 * (javax.mail 1.4.7 to Angus Mail 2.0.3) and per popular sender library (Spring's
 * {@code JavaMailSenderImpl} 5.3 and 6.2, Apache Commons Email, Simple Java Mail), each in a JVM of
 * its own with {@code -javaagent}, on Java 17 and on Java 25, sending to the bed's Postfix through
 * the bed's DNSSEC resolver. Every outcome of the policy is one {@link Scenario}, and one JVM per
 * sender and Java version sends them all in sequence, each to a destination with a rule of its own
 * ({@link Scenario#RULES}): DANE delivery, stripped STARTTLS, TLSA mismatch, {@code reject},
 * {@code audit}, {@code none}, {@code may}, the {@code dane} fallback, a bogus TLSA answer; implicit
 * TLS in each style the application offers; and, with the mail API itself, a client certificate in
 * the application's own TLS socket factory.
 */
class SenderMatrixTest extends AgentBedTest {
    /**
     * A sample application and what it sends.
     *
     * @param mailLibrary the mail library it runs on (the package of the exceptions it sees)
     * @param wraps whether a sender library wraps the mail library's exceptions in its own
     */
    private record Sender(String id, Supplier<SenderRun> run, MailLibrary mailLibrary, boolean wraps,
            List<Scenario> scenarios) {
    }

    private static List<Sender> senders() {
        List<Sender> senders = new ArrayList<>();
        for (MailLibrary library : MailLibrary.values()) {
            senders.add(new Sender(library.id(), () -> SenderRun.sampleSender(library), library, false, Scenario.all(
                    Scenario.startTlsOutcomes("starttls"), List.of(Scenario.startTlsTurnedOff()), Scenario.implicitTls("smtps"),
                    Scenario.implicitTls("ssl-factory"), Scenario.clientCertificates())));
        }
        for (SenderLibrary spring : List.of(SenderLibrary.SPRING_5_3, SenderLibrary.SPRING_6_2)) {
            senders.add(new Sender(spring.id(), () -> SenderRun.senderApp(spring), spring.mailLibrary(), true,
                    Scenario.all(Scenario.startTlsOutcomes("starttls"), Scenario.implicitTls("smtps"))));
        }
        SenderLibrary commons = SenderLibrary.COMMONS_EMAIL_1_5;
        senders.add(new Sender(commons.id(), () -> SenderRun.senderApp(commons), commons.mailLibrary(), true,
                Scenario.all(Scenario.startTlsOutcomes("starttls"), Scenario.implicitTls("ssl-on-connect"))));
        SenderLibrary simple = SenderLibrary.SIMPLE_JAVA_MAIL_8;
        // SMTP is only opportunistic STARTTLS in Simple Java Mail; SMTP_TLS requires it.
        senders.add(new Sender(simple.id(), () -> SenderRun.senderApp(simple), simple.mailLibrary(), true,
                Scenario.all(Scenario.startTlsOutcomes("SMTP"), Scenario.startTlsStyle("SMTP_TLS"), Scenario.implicitTls("SMTPS"))));
        return senders;
    }

    @TestFactory
    Stream<DynamicContainer> everySenderOnJava17And25() {
        String agent = AgentBed.agentConfig(dir, Scenario.RULES.toArray(new String[0]));
        Path keyStore = AgentBed.clientKeyStore(dir);
        return senders().stream().flatMap(sender -> Stream.of(Jdk.values()).map(jdk -> new ScenarioRun(
                sender.id() + " on " + jdk,
                AgentBed.onBed(sender.run().get()).javaHome(jdk.home()).agent(agent)
                        .jvmOption("-Dsample.keystore=" + keyStore)
                        .jvmOption("-Dsample.keystore.password=" + AgentBed.CLIENT_KEY_STORE_PASSWORD),
                ScenarioRun::sampleAppArguments, sender.scenarios(), sender.mailLibrary().smtpPackage(), sender.wraps())
                .tests()));
    }
}
