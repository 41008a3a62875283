package dev.mailtls.it.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.agent.ModuleSystemDeployments.OsgiFramework;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;

/**
 * The agent where the mail classes are loaded by a module system's class loaders, which delegate
 * only {@code java.*} to the JVM's own (no framework setting made for the agent): the javax.mail
 * 1.6.2 bundle in Apache Felix 7 and in Eclipse Equinox 3.21, and a javax.mail module in JBoss
 * Modules 2.1, each on Java 17 and on Java 25. The advice inlined into their
 * {@code SMTPTransport} and {@code SocketFetcher} must reach the agent's bridge without those
 * loaders: DANE delivery, stripped STARTTLS (the proxy offering AUTH as bait, the sender with
 * credentials) and a TLSA mismatch, each with the outcome the flat class path gives.
 */
class ModuleSystemDeploymentTest extends AgentBedTest {
    private static final String SMTP_PACKAGE = MailLibrary.JAVAX_MAIL_1_6_2.smtpPackage();
    private static final String JBOSS_MODULES_LOADER = "LOADER org.jboss.modules.ModuleClassLoader";

    /** DANE delivery and stripped STARTTLS with credentials, and a TLSA mismatch, with opportunistic STARTTLS. */
    private static List<Scenario> deployedScenarios() {
        return Scenario.startTlsOutcomes("starttls").stream()
                .filter(scenario -> List.of("dane", "strip", "mismatch").contains(scenario.name())).toList();
    }

    private ScenarioRun run(String name, SenderRun run) {
        String agent = AgentBed.agentConfig(dir, Scenario.RULES.toArray(new String[0]));
        return new ScenarioRun(name, AgentBed.onBed(run).agent(agent), ScenarioRun::sampleAppArguments, deployedScenarios(),
                SMTP_PACKAGE, false);
    }

    @TestFactory
    Stream<DynamicContainer> osgiBundlesInFelixAndEquinox() {
        return Stream.of(OsgiFramework.values()).flatMap(framework -> Stream.of(Jdk.values()).map(jdk ->
                run(framework + " on " + jdk, ModuleSystemDeployments.osgi(framework).javaHome(jdk.home()))
                        .check("the mail classes came from the framework's bundle class loader", result ->
                                assertThat(result.stdout()).as(result.toString()).contains("LOADER " + framework.bundleLoader()))
                        .tests()));
    }

    @TestFactory
    Stream<DynamicContainer> jbossModules() {
        return Stream.of(Jdk.values()).map(jdk ->
                run("JBoss Modules 2.1 on " + jdk, ModuleSystemDeployments.jbossModules().javaHome(jdk.home()))
                        .check("the mail classes came from a JBoss Modules module class loader", result ->
                                assertThat(result.stdout()).as(result.toString()).contains(JBOSS_MODULES_LOADER))
                        .tests());
    }
}
