// What every sample application prints, compiled together with each of them: one line
// "RESULT SENT", or "RESULT FAILED <exception class>: <message>" followed by one line
// "CAUSE <class>: <message>" per cause (a sender library wraps the mail library's exception,
// the mail library the agent's or the JDK's).
public final class SampleOutput {
    private SampleOutput() {
    }

    public static void sent() {
        System.out.println("RESULT SENT");
    }

    public static void failed(Throwable failure) {
        System.out.println("RESULT FAILED " + describe(failure));
        Throwable cause = failure.getCause();
        // Bounded: a cause chain can loop.
        for (int depth = 0; cause != null && cause != failure && depth < 20; depth++) {
            System.out.println("CAUSE " + describe(cause));
            cause = cause.getCause();
        }
    }

    private static String describe(Throwable failure) {
        return failure.getClass().getName() + ": " + String.valueOf(failure.getMessage()).replace('\n', ' ');
    }
}
