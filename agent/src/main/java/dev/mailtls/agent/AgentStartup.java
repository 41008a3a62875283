package dev.mailtls.agent;

import dev.mailtls.agent.bootstrap.Hooks;
import dev.mailtls.agent.bootstrap.SmtpGuard;
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
 * The agent's start-up sequence, called by the launcher ({@code dev.mailtls.agent.launcher.AgentLauncher})
 * in the agent's own class loader once the bridge is on the bootstrap search path. It is fail-closed
 * and keeps the application's start-up short. Before {@code premain} returns, only two things
 * happen: a guard that holds every SMTP connection until the policy is ready goes into the bridge
 * ({@link StartingSmtpGuard}), and the mail classes are instrumented ({@link AgentInstaller}). Then,
 * concurrently with the application's own start-up, one daemon thread makes the policy
 * (configuration, trust store, DNS resolver), which replaces the holding guard, and another warms
 * up what the first connection needs ({@link StartupWarmUp}). Only a valid configuration lets
 * connections through; a broken one is reported on stderr and blocks them all with {@code 454 4.7.5}.
 */
public final class AgentStartup {
    private static final String POLICY_THREAD = "mailtls-agent-start";
    private static final String WARM_UP_THREAD = "mailtls-agent-warm-up";

    private AgentStartup() {
    }

    /**
     * Called reflectively by the launcher; never throws. Returns whether the mail classes are
     * instrumented: if not, the launcher keeps them from loading at all (fail closed).
     */
    public static boolean start(final String arguments, Instrumentation instrumentation, boolean alreadyAttached) {
        boolean instrumented = alreadyAttached;
        try {
            ApplicationClientKeys.allowJdkAccess(instrumentation);
            if (alreadyAttached) {
                Hooks.install(guard(arguments));
                log().info("mailtls: agent attached again: configuration reloaded, instrumentation kept");
                return true;
            }
            MailClassTransformer transformer = AgentInstaller.transformer();
            // First, because the first mail class to load waits for Byte Buddy, which the warm-up
            // loads and runs; weaving ahead needs the transformer only, not its registration.
            daemon(WARM_UP_THREAD, new StartupWarmUp(transformer));
            final StartingSmtpGuard starting = new StartingSmtpGuard(StartingSmtpGuard.STARTUP_TIMEOUT_MILLIS);
            Hooks.install(starting);
            transformer.installOn(instrumentation);
            instrumented = true;
            daemon(POLICY_THREAD, new Runnable() {
                @Override
                public void run() {
                    finish(arguments, starting);
                }
            });
        } catch (Throwable failure) {
            failed(failure);
        }
        return instrumented;
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** On the policy thread: the policy, which then replaces the holding guard and releases waiting connections. */
    private static void finish(String arguments, StartingSmtpGuard starting) {
        SmtpGuard guard;
        try {
            guard = guard(arguments);
        } catch (Throwable failure) {
            guard = failed(failure);
        }
        Hooks.install(guard);
        starting.complete(guard);
    }

    /** Never into the host application; SMTP stays blocked (fail closed). */
    private static SmtpGuard failed(Throwable failure) {
        System.err.println("MailTLS Guard: failed to start: " + failure);
        failure.printStackTrace();
        SmtpGuard blocking = new BlockingSmtpGuard("the agent failed to start: " + failure);
        try {
            Hooks.install(blocking);
        } catch (Throwable alsoFailed) {
            System.err.println("MailTLS Guard: could not even block SMTP sending: " + alsoFailed);
        }
        return blocking;
    }

    private static SmtpGuard guard(String text) {
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
        log().info("mailtls: MailTLS Guard enforcing " + location + ": default " + config.policies().defaultRule().policy()
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

    /** Looked up when needed: java.util.logging is not started before the application's main. */
    private static Logger log() {
        return Logger.getLogger("dev.mailtls.agent");
    }
}
