package dev.mailtls.agent;

import dev.mailtls.agent.bootstrap.Hooks;
import dev.mailtls.agent.guard.ApplicationClientKeys;
import dev.mailtls.agent.guard.BlockingSmtpGuard;
import dev.mailtls.agent.guard.PolicySmtpGuard;
import dev.mailtls.agent.queue.AgentQueue;
import dev.mailtls.config.ConfigException;
import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.ConfigLocation;
import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.queue.QueueException;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.security.GeneralSecurityException;
import java.util.logging.FileHandler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Starts the agent once the bridge is in the bootstrap class loader (see {@link AgentMain}, which
 * loads this class only then, by name). The order is fail-closed: a guard that blocks all SMTP
 * sending goes in first, then the configuration is read, and only a valid one replaces the
 * blocking guard; the mail classes are instrumented either way.
 */
final class AgentStartup {
    private static final Logger LOG = Logger.getLogger("dev.mailtls.agent");

    private AgentStartup() {
    }

    /** Called reflectively by {@link AgentMain}; never throws. */
    static void start(String arguments, Instrumentation instrumentation, boolean alreadyAttached) {
        try {
            ApplicationClientKeys.allowJdkAccess(instrumentation);
            if (!alreadyAttached) {
                Hooks.install(new BlockingSmtpGuard("the agent is still starting"));
            }
            Hooks.install(guard(arguments));
            if (alreadyAttached) {
                LOG.info("mailtls: agent attached again: configuration reloaded, instrumentation kept");
            } else {
                AgentInstaller.instrument(instrumentation);
            }
        } catch (Throwable failure) {
            // Never into the host application; SMTP stays blocked (fail closed).
            System.err.println("MailTLS Guard: failed to start: " + failure);
            failure.printStackTrace();
            try {
                Hooks.install(new BlockingSmtpGuard("the agent failed to start: " + failure));
            } catch (Throwable alsoFailed) {
                System.err.println("MailTLS Guard: could not even block SMTP sending: " + alsoFailed);
            }
        }
    }
    private static dev.mailtls.agent.bootstrap.SmtpGuard guard(String text) {
        AgentArguments arguments;
        try {
            arguments = AgentArguments.parse(text);
        } catch (IllegalArgumentException malformed) {
            return blocked(malformed.getMessage());
        }
        if (arguments.get(AgentArguments.LOG) != null) {
            try {
                FileHandler file = new FileHandler(arguments.get(AgentArguments.LOG), true);
                file.setFormatter(new SimpleFormatter());
                Logger.getLogger("dev.mailtls").addHandler(file);
            } catch (IOException | RuntimeException unwritable) {
                return blocked("cannot write the log file " + arguments.get(AgentArguments.LOG) + ": " + unwritable);
            }
        }
        ConfigLocation location = ConfigLocation.find(arguments.get(AgentArguments.CONFIG), System.getProperties(), System.getenv());
        MailTlsConfig config;
        try {
            config = location.load(ConfigLoader.standard());
        } catch (ConfigException invalid) {
            System.err.println("MailTLS Guard: " + invalid.getMessage());
            System.err.println("MailTLS Guard: all SMTP sending is blocked (454 4.7.5) until the configuration is fixed.");
            return new BlockingSmtpGuard(invalid.problems().get(0) + (invalid.problems().size() > 1 ? " and more" : ""));
        }
        LOG.info("mailtls: MailTLS Guard enforcing " + location + ": default " + config.policies().defaultRule().policy()
                + ", " + (config.policies().rules().size() - 1) + " destination rules");
        AgentQueue queue;
        try {
            queue = AgentQueue.start(config);
        } catch (QueueException unusable) {
            return blocked(unusable.getMessage());
        }
        try {
            return PolicySmtpGuard.forConfig(config, queue);
        } catch (IOException | GeneralSecurityException unusable) {
            if (queue != null) {
                queue.close();
            }
            return blocked("the trust store of " + config.tls().trustStorePath() + " is unusable: " + unusable.getMessage());
        }
    }

    private static BlockingSmtpGuard blocked(String reason) {
        System.err.println("MailTLS Guard: configuration error: " + reason);
        System.err.println("MailTLS Guard: all SMTP sending is blocked (454 4.7.5) until the configuration is fixed.");
        return new BlockingSmtpGuard(reason);
    }
}
