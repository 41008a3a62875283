package dev.mailtls.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;

/**
 * The configured recursive servers as one dnsjava {@link Resolver}: each query goes to the first
 * server, and to the next one when a server does not answer, SERVFAILs or refuses. Queries never
 * leave with the CD bit, not even the DS and DNSKEY queries of {@code ValidatingResolver} (which
 * sets it): a validating upstream then still rejects bogus data itself, so a mistake in our own
 * trust anchors cannot turn bogus data into insecure data.
 */
final class ServerList implements Resolver {
    private final List<SimpleResolver> servers = new ArrayList<SimpleResolver>();
    private final Executor executor;

    ServerList(List<InetSocketAddress> addresses, Duration timeoutPerServer, Executor executor) {
        for (InetSocketAddress address : addresses) {
            SimpleResolver server = new SimpleResolver(address);
            server.setTimeout(timeoutPerServer);
            servers.add(server);
        }
        this.executor = executor;
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
        return sendAsync(query, executor);
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor continuations) {
        Message withoutCd = query.clone();
        withoutCd.getHeader().unsetFlag(Flags.CD);
        return attempt(withoutCd, 0, continuations);
    }

    private CompletableFuture<Message> attempt(final Message query, final int index, final Executor continuations) {
        final SimpleResolver server = servers.get(index);
        CompletableFuture<Message> reply;
        try {
            reply = server.sendAsync(query, continuations).toCompletableFuture();
        } catch (RuntimeException e) {
            reply = new CompletableFuture<Message>();
            reply.completeExceptionally(e);
        }
        return reply.handle((message, error) -> {
            boolean last = index + 1 >= servers.size();
            if (error == null && (last || !worthAnotherServer(message))) {
                return CompletableFuture.completedFuture(message);
            }
            if (!last) {
                return attempt(query, index + 1, continuations);
            }
            CompletableFuture<Message> failed = new CompletableFuture<Message>();
            failed.completeExceptionally(new IOException(describe(server) + " gave no usable reply within "
                    + server.getTimeout().toMillis() + " ms: " + describe(error)
                    + (servers.size() > 1 ? " (the last of " + servers.size() + " servers tried)" : "")));
            return failed;
        }).thenCompose(Function.<CompletableFuture<Message>>identity());
    }

    private static boolean worthAnotherServer(Message reply) {
        return reply.getRcode() == Rcode.SERVFAIL || reply.getRcode() == Rcode.REFUSED;
    }

    private static String describe(SimpleResolver server) {
        InetSocketAddress address = server.getAddress();
        return address.getHostString() + ":" + address.getPort();
    }

    static String describe(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }

    @Override
    public void setPort(int port) {
        for (SimpleResolver server : servers) {
            server.setPort(port);
        }
    }

    @Override
    public void setTCP(boolean flag) {
        for (SimpleResolver server : servers) {
            server.setTCP(flag);
        }
    }

    @Override
    public void setIgnoreTruncation(boolean flag) {
        for (SimpleResolver server : servers) {
            server.setIgnoreTruncation(flag);
        }
    }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
        for (SimpleResolver server : servers) {
            server.setEDNS(version, payloadSize, flags, options);
        }
    }

    @Override
    public void setTSIGKey(TSIG key) {
        for (SimpleResolver server : servers) {
            server.setTSIGKey(key);
        }
    }

    @Override
    public void setTimeout(Duration timeout) {
        for (SimpleResolver server : servers) {
            server.setTimeout(timeout);
        }
    }

    @Override
    public Duration getTimeout() {
        return servers.get(0).getTimeout();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("DNS servers ");
        for (int i = 0; i < servers.size(); i++) {
            text.append(i == 0 ? "" : ", ").append(describe(servers.get(i)));
        }
        return text.toString();
    }
}
