package dev.mailtls.agent;

import java.util.List;
import net.bytebuddy.asm.AsmVisitorWrapper;

/**
 * One instrumentation as {@link AgentInstaller} registers it: the mail classes it applies to, by
 * name, and the advice it weaves into them. The advice is made (Byte Buddy reads the advice
 * classes) the first time it is needed, by the first such class or by the start-up's warm-up, and
 * kept: it is immutable and serves every class loader.
 */
abstract class MailClassWeaving {
    private final List<String> typeNames;
    private volatile AsmVisitorWrapper visitor;

    /** @param typeNames binary names, e.g. {@code com.sun.mail.smtp.SMTPTransport} */
    MailClassWeaving(List<String> typeNames) {
        this.typeNames = typeNames;
    }

    List<String> typeNames() {
        return typeNames;
    }

    /** The advice, on the methods it applies to. */
    abstract AsmVisitorWrapper advice();

    final AsmVisitorWrapper visitor() {
        AsmVisitorWrapper made = visitor;
        if (made == null) {
            synchronized (this) {
                // A mail class that loads while the warm-up makes the advice waits for it, rather
                // than making it a second time on a core the warm-up needs.
                made = visitor;
                if (made == null) {
                    made = advice();
                    visitor = made;
                }
            }
        }
        return made;
    }
}
