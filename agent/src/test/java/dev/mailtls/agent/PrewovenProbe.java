package dev.mailtls.agent;

/**
 * The application of {@link PrewovenClassesIT}, run with the agent: loads the SMTP transport and the
 * socket fetcher of the mail library on its class path, if there is one, then waits for the agent's
 * warm-up thread to finish, so that everything the agent loads at start-up has been loaded.
 */
public final class PrewovenProbe {
    private PrewovenProbe() {
    }

    public static void main(String[] arguments) throws InterruptedException {
        try {
            Class.forName("com.sun.mail.smtp.SMTPTransport");
            Class.forName("com.sun.mail.util.SocketFetcher");
            System.out.println("mail classes loaded");
        } catch (ClassNotFoundException noMailLibrary) {
            System.out.println("no mail library");
        }
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("mailtls-agent-warm-up")) {
                thread.join();
            }
        }
    }
}
