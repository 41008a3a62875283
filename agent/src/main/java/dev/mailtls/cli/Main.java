package dev.mailtls.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of {@code java -jar mailtls-agent.jar COMMAND ...}: dispatches to one {@link Command}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /** Runs one command line and returns its exit code (the tests call this directly). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Map<String, Command> commands = commands();
        if (args.isEmpty()) {
            printHelp(commands, err);
            return Command.USAGE;
        }
        String name = args.get(0);
        if (name.equals("--version") || name.equals("version")) {
            out.println("MailTLS Guard " + version());
            return Command.OK;
        }
        if (name.equals("help") || name.equals("--help") || name.equals("-h")) {
            printHelp(commands, out);
            return Command.OK;
        }
        Command command = commands.get(name);
        if (command == null) {
            err.println("mailtls: unknown command \"" + name + "\"; commands: " + String.join(", ", commands.keySet())
                    + ". Run \"help\" for usage.");
            return Command.USAGE;
        }
        return command.run(args.subList(1, args.size()), out, err);
    }

    private static Map<String, Command> commands() {
        Map<String, Command> commands = new LinkedHashMap<>();
        for (Command command : new Command[] {
            new ConfigCheckCommand(), new PolicyCommand(), new CheckCommand(), new VerifyCommand(), new TlsaCommand(), new AttachCommand(),
            new DemoCommand(), new QueueCommand(),
        }) {
            commands.put(command.name(), command);
        }
        return commands;
    }

    private static void printHelp(Map<String, Command> commands, PrintStream out) {
        out.println("MailTLS Guard " + version() + ": outbound SMTP TLS policy (STARTTLS, DANE, PKIX) for Java mail senders.");
        out.println();
        out.println("Usage: java -jar mailtls-agent.jar COMMAND [ARGUMENTS]");
        out.println();
        for (Command command : commands.values()) {
            out.printf("  %s %s%n      %s%n", command.name(), command.synopsis(), command.summary());
        }
        out.println("  help | --version");
        out.println();
        out.println("Exit codes: 0 ok, 1 not compliant / check failed / no such queued message, 2 usage or configuration error.");
    }

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }
}
