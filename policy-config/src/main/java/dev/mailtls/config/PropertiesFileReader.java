package dev.mailtls.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Reads a UTF-8 properties file keeping the line of every key, which {@link Properties#load} alone
 * forgets. Each logical line (with its continuation lines) is handed to {@code Properties.load}, so
 * escapes and separators follow the JDK's rules exactly. Beyond those rules, a {@code #} that
 * follows white space ends the value (a trailing comment), and a key written twice is a problem
 * rather than "the last one wins".
 */
final class PropertiesFileReader {
    private static final Pattern TRAILING_COMMENT = Pattern.compile("\\s+#.*$");

    private final Path file;
    private final Map<String, ConfigEntry> entries = new LinkedHashMap<>();
    private final List<ConfigProblem> problems = new ArrayList<>();

    private PropertiesFileReader(Path file) {
        this.file = file;
    }

    /** Reads {@code file}; problems (unreadable, not UTF-8, duplicate keys) are added to {@code problems}. */
    static Map<String, ConfigEntry> read(Path file, List<ConfigProblem> problems) {
        PropertiesFileReader reader = new PropertiesFileReader(file);
        reader.readAll();
        problems.addAll(reader.problems);
        return reader.entries;
    }

    private void readAll() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException notUtf8) {
            problems.add(new ConfigProblem(file.toString(), null, null, "not valid UTF-8 text; save the file as UTF-8"));
            return;
        } catch (IOException unreadable) {
            problems.add(new ConfigProblem(file.toString(), null, null, "cannot read the configuration file: "
                    + describe(unreadable) + "; check the path and its permissions"));
            return;
        }
        int index = 0;
        while (index < lines.size()) {
            int firstLine = index + 1;
            StringBuilder logical = new StringBuilder(lines.get(index));
            boolean comment = isCommentOrBlank(lines.get(index));
            while (!comment && continues(lines.get(index)) && index + 1 < lines.size()) {
                index++;
                logical.append('\n').append(lines.get(index));
            }
            index++;
            if (!comment) {
                add(logical.toString(), firstLine);
            }
        }
    }

    private void add(String logicalLine, int line) {
        Properties one = new Properties();
        try {
            one.load(new StringReader(logicalLine));
        } catch (IOException | IllegalArgumentException malformed) {
            // IllegalArgumentException: a malformed unicode escape.
            problems.add(new ConfigProblem(file + ":" + line, null, null, "cannot parse this line: " + malformed.getMessage()));
            return;
        }
        for (String key : one.stringPropertyNames()) {
            String value = TRAILING_COMMENT.matcher(one.getProperty(key)).replaceFirst("").trim();
            String origin = file + ":" + line;
            ConfigEntry earlier = entries.get(key);
            if (earlier != null) {
                problems.add(new ConfigProblem(origin, key, value, "set twice (first at " + earlier.origin
                        + "); keep one of the two lines"));
            } else {
                entries.put(key, new ConfigEntry(key, value, origin, file.toAbsolutePath().getParent()));
            }
        }
    }

    private static boolean isCommentOrBlank(String line) {
        String text = line.trim();
        return text.isEmpty() || text.charAt(0) == '#' || text.charAt(0) == '!';
    }

    /** An odd number of trailing backslashes continues the logical line (the JDK's rule). */
    private static boolean continues(String line) {
        int backslashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private static String describe(IOException problem) {
        String kind = problem.getClass().getSimpleName();
        if (kind.equals("NoSuchFileException")) {
            return "no such file";
        }
        if (kind.equals("AccessDeniedException")) {
            return "permission denied";
        }
        return problem.getMessage() == null ? kind : kind + ": " + problem.getMessage();
    }
}
