package dev.mailtls.it.jamesserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few WebAdmin calls of James 3.8.1 the end-to-end tests use (no authentication; loopback
 * only): users, the spool queue, mail repositories and a mailbox's message count. Answers are
 * returned as text; the tests look for what they expect in it.
 */
public final class WebAdmin {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    WebAdmin(InetSocketAddress address) {
        this.base = URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    /** Creates a user of a local domain (PUT /users/NAME). */
    void createUser(String name, String password) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(uri("/users/" + name)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + password + "\"}")), 204);
    }

    /** Creates a mailbox of a user (PUT /users/USER/mailboxes/NAME). */
    void createMailbox(String user, String mailbox) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(uri("/users/" + user + "/mailboxes/" + mailbox)).PUT(HttpRequest.BodyPublishers.noBody()),
                204);
    }

    /** How many mails a queue holds (GET /mailQueues/NAME: {@code {"name":"spool","size":0}}); 0 for a queue James does not have. */
    public long mailQueueSize(String queue) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri("/mailQueues/" + encode(queue))).header("Accept", "application/json")
                .timeout(TIMEOUT).GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() == 404) {
            return 0;
        }
        Matcher size = Pattern.compile("\"size\"\\s*:\\s*(\\d+)").matcher(response.body());
        if (response.statusCode() != 200 || !size.find()) {
            throw new AssertionError("WebAdmin GET " + request.uri() + ": HTTP " + response.statusCode() + ": " + response.body());
        }
        return Long.parseLong(size.group(1));
    }

    /**
     * Sends every mail of a repository back to the spool to be processed by {@code processor}
     * (PATCH /mailRepositories/REPOSITORY/mails?action=reprocess); James does it in a task of its
     * own, whose id this returns.
     */
    public String reprocessAll(String repository, String processor) throws IOException, InterruptedException {
        String answer = send(HttpRequest.newBuilder(uri("/mailRepositories/" + encode(repository) + "/mails?action=reprocess&processor="
                + encode(processor))).method("PATCH", HttpRequest.BodyPublishers.noBody()), 201);
        Matcher taskId = Pattern.compile("\"taskId\"\\s*:\\s*\"([^\"]+)\"").matcher(answer);
        return taskId.find() ? taskId.group(1) : answer;
    }

    /** The number of mails of a repository (GET /mailRepositories/REPOSITORY: its {@code size}). */
    public long repositorySize(String repository) throws IOException, InterruptedException {
        String json = get("/mailRepositories/" + encode(repository), "application/json");
        Matcher size = Pattern.compile("\"size\"\\s*:\\s*(\\d+)").matcher(json);
        if (!size.find()) {
            throw new AssertionError("no size in WebAdmin's answer about repository " + repository + ": " + json);
        }
        return Long.parseLong(size.group(1));
    }

    /** The mails of a queue as WebAdmin lists them (GET /mailQueues/NAME/mails): JSON, with recipients and nextDelivery. */
    String queuedMails(String queue) throws IOException, InterruptedException {
        return get("/mailQueues/" + queue + "/mails", "application/json");
    }

    /** The keys of the mails in a repository, e.g. {@code var/mail/dsn} for {@code memory://var/mail/dsn/}. */
    List<String> repositoryKeys(String repository) throws IOException, InterruptedException {
        String json = get("/mailRepositories/" + encode(repository) + "/mails", "application/json");
        List<String> keys = new ArrayList<>();
        Matcher matcher = JSON_STRING.matcher(json);
        while (matcher.find()) {
            keys.add(matcher.group(1));
        }
        return keys;
    }

    /** A mail of a repository with its attributes, as JSON. */
    String repositoryMail(String repository, String key) throws IOException, InterruptedException {
        return get("/mailRepositories/" + encode(repository) + "/mails/" + encode(key) + "?additionalFields=attributes",
                "application/json");
    }

    /** The message of a mail of a repository, as James stores it (RFC 5322 text). */
    String repositoryMessage(String repository, String key) throws IOException, InterruptedException {
        return get("/mailRepositories/" + encode(repository) + "/mails/" + encode(key), "message/rfc822");
    }

    /** How many messages a user's mailbox holds (GET /users/USER/mailboxes/MAILBOX/messageCount). */
    long messageCount(String user, String mailbox) throws IOException, InterruptedException {
        return Long.parseLong(get("/users/" + user + "/mailboxes/" + mailbox + "/messageCount", "application/json").trim());
    }

    /** James's metrics in Prometheus's text format (GET /metrics). */
    String metrics() throws IOException, InterruptedException {
        return get("/metrics", "text/plain");
    }

    private String get(String path, String accept) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", accept).GET(), 200);
    }

    private String send(HttpRequest.Builder request, int expectedStatus) throws IOException, InterruptedException {
        HttpRequest built = request.timeout(TIMEOUT).build();
        HttpResponse<String> response = client.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError("WebAdmin " + built.method() + " " + built.uri() + ": HTTP " + response.statusCode()
                    + ", expected " + expectedStatus + ": " + response.body());
        }
        return response.body();
    }

    private URI uri(String path) {
        return base.resolve(path);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
