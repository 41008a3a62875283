package dev.mailtls.cli;

import java.io.File;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;

/** {@code attach PID [config=FILE] [log=FILE]}: loads the agent into a running JVM. */
final class AttachCommand implements Command {
    @Override
    public String name() {
        return "attach";
    }

    @Override
    public String synopsis() {
        return "PID [config=FILE] [log=FILE]";
    }

    @Override
    public String summary() {
        return "load the agent into the running JVM PID (its SMTP classes are instrumented even if already loaded)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || !args.get(0).matches("\\d+")) {
            err.println("usage: attach PID [config=FILE] [log=FILE]");
            return USAGE;
        }
        String agentArguments = String.join(",", args.subList(1, args.size()));
        File agentJar;
        try {
            agentJar = new File(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException unknown) {
            err.println("attach: cannot find the agent jar this command runs from: " + unknown);
            return USAGE;
        }
        if (!agentJar.isFile()) {
            err.println("attach: run this command from the agent jar (java -jar mailtls-agent.jar attach ...), not from " + agentJar);
            return USAGE;
        }
        try {
            ByteBuddyAgent.attach(agentJar, args.get(0), agentArguments.isEmpty() ? null : agentArguments);
        } catch (RuntimeException failed) {
            err.println("attach: could not attach to JVM " + args.get(0) + ": " + failed.getMessage()
                    + " (run as the same user as that JVM; it must allow attaching, see -XX:+DisableAttachMechanism)");
            return NOT_COMPLIANT;
        }
        out.println("MailTLS Guard attached to JVM " + args.get(0) + "; its start-up messages appear in that JVM's output");
        return OK;
    }
}
