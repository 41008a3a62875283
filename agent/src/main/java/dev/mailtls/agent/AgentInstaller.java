package dev.mailtls.agent;

import dev.mailtls.agent.instrumentation.QueuedTransportInstrumentation;
import dev.mailtls.agent.instrumentation.SmtpTransportInstrumentation;
import dev.mailtls.agent.instrumentation.SocketFetcherInstrumentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.AsmVisitorWrapper;

/**
 * Every instrumentation of the agent in one place: which mail classes it changes, by name, and the
 * advice it weaves into them. One plain {@link MailClassTransformer} recognises those classes by
 * name as they load, so the rest of the host's classes cost a map lookup each and Byte Buddy is
 * not needed before the first mail class (the start-up thread warms it up meanwhile). Inlined
 * advice changes no class's shape, so classes already loaded (dynamic attach) are retransformed.
 */
final class AgentInstaller {
    private AgentInstaller() {
    }

    /**
     * The transformer of the SMTP transport and socket classes of every supported mail library,
     * with every instrumentation in the order a connection meets them; not yet registered.
     */
    static MailClassTransformer transformer() {
        return new MailClassTransformer(weavings());
    }

    /**
     * Every instrumentation, in the order a connection meets them; also what the build weaves the
     * known library versions with ({@link PrewovenClasses}).
     */
    static List<MailClassWeaving> weavings() {
        return Arrays.asList(
                new MailClassWeaving(SmtpTransportInstrumentation.typeNames()) {
                    @Override
                    AsmVisitorWrapper advice() {
                        List<AsmVisitorWrapper> transport = new ArrayList<>();
                        transport.add(SmtpTransportInstrumentation.advice().on(SmtpTransportInstrumentation.methods()));
                        transport.addAll(Arrays.asList(QueuedTransportInstrumentation.advice()));
                        return new AsmVisitorWrapper.Compound(transport);
                    }
                },
                new MailClassWeaving(SocketFetcherInstrumentation.typeNames()) {
                    @Override
                    AsmVisitorWrapper advice() {
                        return new AsmVisitorWrapper.Compound(
                                SocketFetcherInstrumentation.startTlsAdvice().on(SocketFetcherInstrumentation.startTlsMethod()),
                                SocketFetcherInstrumentation.getSocketAdvice().on(SocketFetcherInstrumentation.getSocketMethod()));
                    }
                });
    }
}
