package dev.mailtls.it.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.bed.DeliveredMessage;
import dev.mailtls.it.bed.MxEndpoint;
import dev.mailtls.it.bed.TestBed;
import dev.mailtls.it.bed.TestDomains;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * One JVM of a sample application that sends one message per {@link Scenario}, in sequence, under
 * the agent with the configuration of {@link Scenario#RULES}; and the checks of what came of each
 * (what the application was told, what the agent logged meanwhile, what arrived and how) and of
 * the run as a whole (what crossed the STARTTLS-stripping proxy in clear, how many connections
 * Postfix saw, which client certificates it verified). {@link #tests()} turns them into one
 * dynamic test per scenario and per run-wide check; the first of them starts the run, on a reset
 * bed, and the others reuse its result.
 */
final class ScenarioRun {
    private final String name;
    private final SenderRun run;
    private final BiFunction<String, List<Scenario>, List<String>> arguments;
    private final List<Scenario> scenarios;
    private final String smtpPackage;
    private final boolean wraps;
    private final String subjectPrefix = "it-" + UUID.randomUUID();
    private final List<DynamicNode> extraChecks = new ArrayList<>();
    private Outcome outcome;

    /**
     * @param run the application's JVM, with the agent and the bed's hosts file, without the scenario arguments
     * @param arguments the application's arguments for a subject prefix and the scenarios
     * @param smtpPackage the package of the mail library's {@code SMTPSendFailedException}
     * @param wraps whether the application sees a sender library's exception around the mail library's
     */
    ScenarioRun(String name, SenderRun run, BiFunction<String, List<Scenario>, List<String>> arguments,
            List<Scenario> scenarios, String smtpPackage, boolean wraps) {
        this.name = name;
        this.run = run;
        this.arguments = arguments;
        this.scenarios = List.copyOf(scenarios);
        this.smtpPackage = smtpPackage;
        this.wraps = wraps;
    }

    /** The arguments of the sample applications that take {@code scenarios PREFIX SPEC...}. */
    static List<String> sampleAppArguments(String subjectPrefix, List<Scenario> scenarios) {
        List<String> arguments = new ArrayList<>(List.of("scenarios", subjectPrefix));
        scenarios.forEach(scenario -> arguments.add(scenario.spec()));
        return arguments;
    }

    /** What the run produced: the application's output and where Postfix's log stood before it. */
    private record Outcome(SenderRun.Result result, long logMark) {
    }

    private synchronized Outcome outcome() {
        if (outcome == null) {
            TestBed bed = AgentBed.bed();
            bed.reset();
            // Bait for the strip scenarios: AUTH offered in clear, any credentials accepted.
            bed.stripProxy().setFakeAuth(true);
            long mark = bed.postfixLog().mark();
            SenderRun.Result result = run.arguments(arguments.apply(subjectPrefix, scenarios).toArray(new String[0])).run();
            outcome = new Outcome(result, mark);
        }
        return outcome;
    }

    /** One test per scenario and per check of the whole run, the run made by the first of them. */
    DynamicContainer tests() {
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("the application ran to its end", () ->
                assertThat(outcome().result().exitCode()).as(outcome().result().toString()).isZero()));
        for (Scenario scenario : scenarios) {
            tests.add(DynamicTest.dynamicTest(scenario.toString(), () -> check(scenario)));
        }
        if (scenarios.stream().anyMatch(scenario -> scenario.expect() == Scenario.Expect.STARTTLS_STRIPPED)) {
            tests.add(DynamicTest.dynamicTest("nothing sensitive crossed the stripping proxy in clear, nor the password",
                    () -> {
                        outcome();
                        AgentBed.assertNothingSensitiveInClear(AgentBed.bed().stripProxy(), Scenario.PASSWORD);
                    }));
        }
        if (scenarios.stream().anyMatch(Scenario::credentials)) {
            tests.add(DynamicTest.dynamicTest("the password is in no output, in clear or base64", () -> {
                SenderRun.Result result = outcome().result();
                assertThat(PasswordExposures.find(result.stdout() + result.stderr(), Scenario.PASSWORD)).as(result.toString())
                        .isEmpty();
            }));
        }
        if (scenarios.stream().anyMatch(scenario -> scenario.port() == MxEndpoint.SMTPS_PORT)) {
            tests.add(DynamicTest.dynamicTest("one connection per implicit-TLS scenario, no fallback without the policy",
                    this::checkImplicitTlsConnections));
        }
        if (scenarios.stream().anyMatch(scenario -> scenario.host().equals("mx." + TestDomains.CLIENT_CERT)
                || scenario.expect() == Scenario.Expect.CLIENT_CERTIFICATE)) {
            tests.add(DynamicTest.dynamicTest("Postfix verified exactly the client certificates the applications presented",
                    this::checkClientCertificateLog));
        }
        tests.addAll(extraChecks);
        return DynamicContainer.dynamicContainer(name, tests.stream());
    }

    private String subject(Scenario scenario) {
        return subjectPrefix + "-" + scenario.name();
    }

    private void check(Scenario scenario) {
        SenderRun.ScenarioOutcome result = outcome().result().scenario(scenario.name());
        String description = scenario + "\n--- outcome\n" + result.failureChain() + "\n--- log\n" + result.log()
                + "\n--- whole run\n" + outcome().result();
        String where = scenario.host() + "[" + TestDomains.get(scenario.domain()).endpoint().ip() + "]:" + scenario.port();
        String tlsa = "_" + scenario.port() + "._tcp." + scenario.host();
        switch (scenario.expect()) {
            case DANE_VERIFIED -> assertDaneDelivery(scenario, result, where, description);
            case STARTTLS_STRIPPED -> assertRefused(scenario, result,
                    "454 4.7.4 TLS is required, but was not offered by host " + scenario.host(), description);
            case TLSA_MISMATCH -> assertRefused(scenario, result,
                    "454 4.7.5 Server certificate not verified: DANE: no TLSA record of " + tlsa + " matched", description);
            case REJECTED -> {
                assertRefused(scenario, result,
                        "554 5.7.5 Server certificate not verified: DANE: no TLSA record of " + tlsa + " matched", description);
                assertThat(result.failureChain()).as(description).anyMatch(failure -> failure.contains("message rejected (action=reject)"));
            }
            case AUDITED -> {
                assertThat(result.sent()).as(description).isTrue();
                assertThat(result.log()).as(description).contains("AUDIT: DANE: no TLSA record of " + tlsa + " matched")
                        .contains("sending anyway because action=audit");
                assertThat(arrival(scenario).arrivedOverTls()).as(description).isTrue();
            }
            case PLAINTEXT -> {
                assertThat(result.sent()).as(description).isTrue();
                assertThat(result.log()).as(description).contains("plaintext connection to " + where);
                assertThat(arrival(scenario).arrivedOverTls()).as(description).isFalse();
            }
            case OPPORTUNISTIC_TLS -> {
                assertThat(result.sent()).as(description).isTrue();
                assertThat(result.log()).as(description).contains("TLS connection established to " + where)
                        .contains("level=may");
                assertThat(arrival(scenario).arrivedOverTls()).as(description).isTrue();
            }
            case FALLBACK_ENCRYPT -> {
                assertThat(result.sent()).as(description).isTrue();
                assertThat(result.log()).as(description).contains("TLS connection established to " + where)
                        .contains("effective=encrypt");
                assertThat(arrival(scenario).arrivedOverTls()).as(description).isTrue();
            }
            case TLSA_LOOKUP_ERROR -> assertRefused(scenario, result, "454 4.7.5 TLSA lookup error", description);
            case CLIENT_CERTIFICATE -> {
                DeliveredMessage message = assertDaneDelivery(scenario, result, where, description);
                assertThat(message.receivedByBed()).as(description).contains("(Client CN \"" + Scenario.CLIENT_NAME
                        + "\", Issuer \"MailTLS Guard test bed client CA\" (verified OK))");
            }
            case CLIENT_CERTIFICATE_UNREADABLE -> {
                DeliveredMessage message = assertDaneDelivery(scenario, result, where, description);
                // Warned about once per factory class and JVM: in the log of the first scenario with that class.
                SenderRun.Result run = outcome().result();
                assertThat(run.stdout() + run.stderr()).as(description).containsOnlyOnce("its client certificate, if it"
                        + " has one, cannot be read").contains("the application's own TLS socket factory (SampleSender$WrappingFactory)");
                assertThat(message.receivedByBed()).as(description).contains("(Client did not present a certificate)");
            }
            case FACTORY_CLASS_UNUSABLE -> assertRefused(scenario, result, "454 4.7.5 the socket factory class"
                    + " com.example.MissingClientCertificateFactory that mail.smtp.ssl.socketFactory.class names cannot be"
                    + " made (java.lang.ClassNotFoundException: com.example.MissingClientCertificateFactory); MailTLS Guard"
                    + " fails the connection rather than make it without the application's factory and its client"
                    + " certificate, as the mail library would", description);
            case PLAIN_FACTORY_MADE_TLS -> assertRefused(scenario, result, "454 4.7.5 the socket factory"
                    + " SampleSender$TlsInPlainFactory that mail.smtp.socketFactory.class gives is no TLS socket factory but"
                    + " made a TLS socket, whose handshake MailTLS Guard cannot verify", description);
            case NO_CLIENT_CERTIFICATE -> {
                DeliveredMessage message = assertDaneDelivery(scenario, result, where, description);
                assertThat(result.log()).as(description).doesNotContain("client certificate");
                assertThat(message.receivedByBed()).as(description).contains("(Client did not present a certificate)");
            }
        }
    }

    private DeliveredMessage arrival(Scenario scenario) {
        return AgentBed.delivered(scenario.domain(), subject(scenario));
    }

    private DeliveredMessage assertDaneDelivery(Scenario scenario, SenderRun.ScenarioOutcome result, String where,
            String description) {
        assertThat(result.sent()).as(description).isTrue();
        // "reused": a later connection of the run resumed the TLS session a verified one made.
        assertThat(result.log()).as(description)
                .containsPattern("Verified TLS connection (established|reused) to " + Pattern.quote(where) + ": TLSv1\\.3")
                .contains("DANE TLSA 3 1 1");
        DeliveredMessage message = arrival(scenario);
        assertThat(message.arrivedOverTls()).as(description).isTrue();
        return message;
    }

    /**
     * The application was told {@code reply}: as the mail library's own {@code SMTPSendFailedException}
     * (inside the sender library's exception, for those that wrap it); and nothing arrived.
     */
    private void assertRefused(Scenario scenario, SenderRun.ScenarioOutcome result, String reply, String description) {
        String failure = smtpPackage + ".SMTPSendFailedException: " + reply;
        if (wraps) {
            assertThat(result.outcome()).as(description).startsWith("FAILED ");
            assertThat(result.failureChain()).as(description).anyMatch(text -> text.contains(failure));
        } else {
            assertThat(result.outcome()).as(description).startsWith("FAILED " + failure);
        }
        assertThat(AgentBed.arrived(scenario.domain(), subject(scenario))).as(description).isFalse();
    }

    /**
     * Postfix's implicit-TLS listener saw exactly one connection per implicit-TLS scenario (a
     * library's silent fallback would make a second, unverified one), none for a plain factory
     * that made a TLS socket (refused before connecting: no EHLO, no AUTH), and completed a TLS
     * handshake on exactly those that deliver: the string that shows a handshake does appear
     * where one happened, so its absence elsewhere means something.
     */
    private void checkImplicitTlsConnections() {
        long mark = outcome().logMark();
        List<Scenario> implicit = scenarios.stream().filter(scenario -> scenario.port() == MxEndpoint.SMTPS_PORT
                && scenario.expect() != Scenario.Expect.PLAIN_FACTORY_MADE_TLS).toList();
        TestBed bed = AgentBed.bed();
        String log = "\n" + bed.postfixLog().textSince(mark);
        assertThat(AgentBed.postfixConnections(mark, "mx-smtps", bed.postfixSmtpsAddress())).as(log).hasSize(implicit.size());
        assertThat(AgentBed.postfixLines(mark, "mx-smtps", bed.postfixSmtpsAddress(),
                "\\w+ TLS connection (established|reused) from unknown\\[127\\.0\\.0\\.1\\]")).as(log)
                .hasSize((int) implicit.stream().filter(scenario -> scenario.expect().delivers()).count());
    }

    /**
     * Postfix's log: "Trusted" for each certificate presented, "Anonymous" for each connection
     * without one, at the STARTTLS listener that asks for client certificates; "Trusted" for each
     * certificate presented at the implicit-TLS listener, which asks too.
     */
    private void checkClientCertificateLog() {
        long mark = outcome().logMark();
        TestBed bed = AgentBed.bed();
        long presentingImplicit = scenarios.stream().filter(scenario -> scenario.port() == MxEndpoint.SMTPS_PORT
                && scenario.expect() == Scenario.Expect.CLIENT_CERTIFICATE).count();
        assertThat(AgentBed.postfixLines(mark, "mx-smtps", bed.postfixSmtpsAddress(),
                "Trusted TLS connection (established|reused) from unknown\\[127\\.0\\.0\\.1\\]"))
                .as("\n" + bed.postfixLog().textSince(mark)).hasSize((int) presentingImplicit);
        List<Scenario> toClientCertMx = scenarios.stream()
                .filter(scenario -> scenario.host().equals("mx." + TestDomains.CLIENT_CERT)).toList();
        long presenting = toClientCertMx.stream().filter(scenario -> scenario.expect() == Scenario.Expect.CLIENT_CERTIFICATE)
                .count();
        String log = "\n" + bed.postfixLog().textSince(mark);
        if (toClientCertMx.isEmpty()) {
            return;
        }
        assertThat(AgentBed.postfixLines(mark, "mx-ccert", bed.postfixClientCertAddress(),
                "Trusted TLS connection (established|reused) from unknown\\[127\\.0\\.0\\.1\\]")).as(log).hasSize((int) presenting);
        assertThat(AgentBed.postfixLines(mark, "mx-ccert", bed.postfixClientCertAddress(),
                "Anonymous TLS connection (established|reused) from unknown\\[127\\.0\\.0\\.1\\]")).as(log)
                .hasSize(toClientCertMx.size() - (int) presenting);
        assertThat(AgentBed.postfixLines(mark, "mx-ccert", bed.postfixClientCertAddress(), "Untrusted TLS connection")).as(log)
                .isEmpty();
    }

    @Override
    public String toString() {
        return name;
    }

    /** Adds a check of the whole run's output, e.g. which class loader loaded the mail classes. */
    ScenarioRun check(String description, Consumer<SenderRun.Result> check) {
        extraChecks.add(DynamicTest.dynamicTest(description, () -> check.accept(outcome().result())));
        return this;
    }
}
