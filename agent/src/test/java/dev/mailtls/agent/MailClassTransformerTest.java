package dev.mailtls.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import net.bytebuddy.asm.AsmVisitorWrapper;
import org.junit.jupiter.api.Test;

/**
 * The agent's transformer on real class files (Jakarta Mail 2.0.1 from the test class path): the
 * mail classes it knows by name come back woven with calls into the bridge (by its name, through
 * reflection), everything else comes back untouched without Byte Buddy ever being asked. Classes
 * woven ahead by the start-up's warm-up come out exactly as if they were woven when they load.
 */
class MailClassTransformerTest {
    private static final String BRIDGE = "dev.mailtls.agent.bootstrap.Hooks";

    private static byte[] classFile(String internalName) throws IOException {
        try (InputStream in = MailClassTransformerTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            assertThat(in).as(internalName).isNotNull();
            return in.readAllBytes();
        }
    }

    private static boolean callsTheBridge(byte[] classFile) {
        return new String(classFile, StandardCharsets.ISO_8859_1).contains(BRIDGE);
    }

    @Test
    void mailClassesComeBackWithTheAdviceThatCallsTheBridge() throws IOException {
        MailClassTransformer transformer = AgentInstaller.transformer();
        ClassLoader loader = getClass().getClassLoader();
        for (String mailClass : new String[] {"com/sun/mail/smtp/SMTPTransport", "com/sun/mail/util/SocketFetcher"}) {
            byte[] original = classFile(mailClass);

            byte[] woven = transformer.transform(loader, mailClass, null, null, original);

            assertThat(callsTheBridge(original)).isFalse();
            assertThat(woven).as(mailClass).isNotNull();
            assertThat(callsTheBridge(woven)).as(mailClass).isTrue();
        }
    }

    @Test
    void mailClassesWovenAheadAreTheSameAsThoseWovenWhenTheyLoad() throws IOException {
        ClassLoader loader = getClass().getClassLoader();
        MailClassTransformer ahead = AgentInstaller.transformer();
        ahead.warmUp(loader);
        for (String mailClass : new String[] {"com/sun/mail/smtp/SMTPTransport", "com/sun/mail/util/SocketFetcher"}) {
            byte[] original = classFile(mailClass);

            byte[] handedOver = ahead.transform(loader, mailClass, null, null, original);
            byte[] wovenAgain = ahead.transform(loader, mailClass, null, null, original);
            byte[] wovenWhenLoaded = AgentInstaller.transformer().transform(loader, mailClass, null, null, original);

            assertThat(callsTheBridge(handedOver)).as(mailClass).isTrue();
            assertThat(handedOver).as(mailClass).isEqualTo(wovenWhenLoaded).isEqualTo(wovenAgain);
        }
    }

    @Test
    void aMailClassOfAnotherClassLoaderIsWovenForItsOwnLoader() throws IOException {
        ClassLoader loader = getClass().getClassLoader();
        MailClassTransformer transformer = AgentInstaller.transformer();
        transformer.warmUp(loader);
        byte[] original = classFile("com/sun/mail/smtp/SMTPTransport");
        try (URLClassLoader other = new URLClassLoader(new URL[0], loader)) {

            byte[] woven = transformer.transform(other, "com/sun/mail/smtp/SMTPTransport", null, null, original);

            assertThat(callsTheBridge(woven)).isTrue();
        }
    }

    @Test
    void otherClassesAreLeftAloneWithoutMakingAnyAdvice() throws IOException {
        MailClassWeaving neverMade = new MailClassWeaving(Collections.singletonList("com.sun.mail.smtp.SMTPTransport")) {
            @Override
            AsmVisitorWrapper advice() {
                throw new AssertionError("the advice was made for a class it does not apply to");
            }
        };
        MailClassTransformer transformer = new MailClassTransformer(Collections.singletonList(neverMade));

        assertThat(transformer.transform(getClass().getClassLoader(), "com/sun/mail/imap/IMAPStore", null, null,
                classFile("com/sun/mail/imap/IMAPStore"))).isNull();
        assertThat(transformer.transform(null, "java/lang/String", null, null, new byte[0])).isNull();
        assertThat(transformer.transform(null, null, null, null, new byte[0])).as("a hidden class has no name").isNull();
    }

    @Test
    void aMailClassThatCannotBeWovenIsRefusedAndReported() {
        MailClassTransformer transformer = AgentInstaller.transformer();
        List<LogRecord> logged;
        try (AgentLog log = new AgentLog()) {
            // Not a class file: the weaving fails, and the JVM gets a class file it must refuse.
            assertThat(transformer.transform(getClass().getClassLoader(), "org/eclipse/angus/mail/smtp/SMTPTransport", null,
                    null, new byte[] {1, 2, 3})).isEqualTo(MailClassTransformer.REFUSED);
            logged = log.records;
        }

        assertThat(logged).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(record.getMessage()).startsWith("mailtls: org.eclipse.angus.mail.smtp.SMTPTransport")
                    .endsWith("could not be instrumented, so it is not loaded: the application cannot send mail through it"
                            + " (fail closed)");
        });
    }

    /** A weaving whose advice cannot be made, as a bug in the agent's own code would. */
    private static MailClassTransformer failingTransformer() {
        return new MailClassTransformer(Collections.<MailClassWeaving>singletonList(
                new MailClassWeaving(Collections.singletonList("com.example.mail.UnwovenTransport")) {
                    @Override
                    AsmVisitorWrapper advice() {
                        throw new IllegalStateException("the advice cannot be made");
                    }
                }));
    }

    /**
     * Fail closed: a mail class the agent cannot weave as it loads must not load at all (the
     * application then cannot send through it), rather than load unwoven and send past the policy.
     */
    @Test
    void aMailClassThatCannotBeWovenIsRefusedNotLoadedUnwoven() throws IOException {
        byte[] original = classFile("com/sun/mail/smtp/SMTPTransport");

        byte[] given = failingTransformer().transform(getClass().getClassLoader(), "com/example/mail/UnwovenTransport",
                null, null, original);

        assertThat(given).isNotNull().isNotEqualTo(original);
        assertThatThrownBy(() -> new ClassLoader(null) {
            Class<?> define() {
                return defineClass("com.example.mail.UnwovenTransport", given, 0, given.length);
            }
        }.define()).isInstanceOf(ClassFormatError.class);
    }

    /** On attach the JVM keeps the loaded class whatever the transformer returns: no change, and an error says so. */
    @Test
    void aLoadedMailClassThatCannotBeRetransformedIsLeftAsItWasAndReported() throws IOException {
        byte[] original = classFile("com/sun/mail/smtp/SMTPTransport");
        byte[] given;
        List<LogRecord> logged;
        try (AgentLog log = new AgentLog()) {
            given = failingTransformer().transform(getClass().getClassLoader(), "com/example/mail/UnwovenTransport",
                    Object.class, null, original);
            logged = log.records;
        }

        assertThat(given).isNull();
        assertThat(logged).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(record.getMessage()).startsWith("mailtls: com.example.mail.UnwovenTransport")
                    .contains("was loaded before the agent attached", "NOT governed by the policy");
        });
    }

    /** What the agent logs while it is open. */
    private static final class AgentLog extends Handler implements AutoCloseable {
        final List<LogRecord> records = new ArrayList<>();

        AgentLog() {
            Logger.getLogger("dev.mailtls.agent").addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("dev.mailtls.agent").removeHandler(this);
        }
    }
}
