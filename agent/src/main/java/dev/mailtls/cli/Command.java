package dev.mailtls.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One sub-command of the {@code mailtls} command-line tool ({@code java -jar mailtls-agent.jar NAME ...}).
 * Implementations print results to {@code out} and problems to {@code err}, never throw for a user
 * mistake, and return the process exit code: {@link #OK}, {@link #NOT_COMPLIANT} or {@link #USAGE}.
 */
interface Command {
    /** Success: the configuration is valid, the destination complies, the chain authenticated. */
    int OK = 0;
    /** A check ran and failed: the destination or certificate does not comply. */
    int NOT_COMPLIANT = 1;
    /** Bad usage or a configuration error; nothing was checked. */
    int USAGE = 2;

    /** The word that selects this command, e.g. {@code config-check}. */
    String name();

    /** The argument synopsis shown by {@code help}, e.g. {@code FILE DESTINATION}. */
    String synopsis();

    /** One line saying what the command does. */
    String summary();

    int run(List<String> args, PrintStream out, PrintStream err);
}
