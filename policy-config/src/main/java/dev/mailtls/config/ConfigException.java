package dev.mailtls.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A configuration that cannot be used, with every {@link ConfigProblem} found (not only the first),
 * so that an operator fixes them in one round. Its message is fit to print as it is.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<ConfigProblem> problems;

    ConfigException(List<ConfigProblem> problems) {
        super(describe(problems));
        this.problems = Collections.unmodifiableList(new ArrayList<>(problems));
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String describe(List<ConfigProblem> problems) {
        StringBuilder text = new StringBuilder("MailTLS Guard configuration is invalid (")
                .append(problems.size()).append(problems.size() == 1 ? " problem" : " problems").append("):");
        for (ConfigProblem problem : problems) {
            text.append(System.lineSeparator()).append("  ").append(problem);
        }
        return text.toString();
    }
}
