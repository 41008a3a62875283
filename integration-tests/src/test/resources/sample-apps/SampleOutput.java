// What every sample application prints, compiled together with each of them.
//
// One message: one line "RESULT SENT", or "RESULT FAILED <exception class>: <message>" followed by
// one line "CAUSE <class>: <message>" per cause (a sender library wraps the mail library's
// exception, the mail library the agent's or the JDK's).
//
// Several messages, one per scenario (a name, a destination, a TLS style), in one run: "BEGIN
// <scenario>" on standard output and on standard error (where it separates the log lines of one
// scenario from the next), then "OUTCOME <scenario> SENT" or "OUTCOME <scenario> FAILED <class>:
// <message>" and "CAUSE <scenario> <class>: <message>" per cause.
public final class SampleOutput {
    private SampleOutput() {
    }

    public static void sent() {
        System.out.println("RESULT SENT");
    }

    public static void failed(Throwable failure) {
        System.out.println("RESULT FAILED " + describe(failure));
        printCauses("CAUSE ", failure);
    }

    /** Marks the start of a scenario on both output streams. */
    public static void begin(String scenario) {
        System.out.println("BEGIN " + scenario);
        System.out.flush();
        System.err.println("BEGIN " + scenario);
        System.err.flush();
    }

    public static void sent(String scenario) {
        System.out.println("OUTCOME " + scenario + " SENT");
    }

    public static void failed(String scenario, Throwable failure) {
        System.out.println("OUTCOME " + scenario + " FAILED " + describe(failure));
        printCauses("CAUSE " + scenario + " ", failure);
    }

    private static void printCauses(String prefix, Throwable failure) {
        Throwable cause = failure.getCause();
        // Bounded: a cause chain can loop.
        for (int depth = 0; cause != null && cause != failure && depth < 20; depth++) {
            System.out.println(prefix + describe(cause));
            cause = cause.getCause();
        }
    }

    private static String describe(Throwable failure) {
        return failure.getClass().getName() + ": " + String.valueOf(failure.getMessage()).replace('\n', ' ');
    }
}
