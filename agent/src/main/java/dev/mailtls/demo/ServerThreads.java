package dev.mailtls.demo;

import java.io.Closeable;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The threads of one in-process server and the connections they serve. {@link #close} ends them
 * all and waits for them: the demo promises to leave no thread running, and a thread blocked in a
 * socket read only ends when its socket is closed.
 */
final class ServerThreads {
    private static final long JOIN_MILLIS = 5000;

    private final String name;
    private final List<Thread> threads = new ArrayList<Thread>();
    private final List<Socket> connections = new ArrayList<Socket>();
    private boolean closed;

    ServerThreads(String name) {
        this.name = name;
    }

    /** Runs {@code task} on a new daemon thread (daemon: a demo that fails half-way must not hang the JVM). */
    synchronized void start(Runnable task) {
        Thread thread = new Thread(task, name + "-" + threads.size());
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    /** Serves {@code connection} with {@code task} on a new thread; the connection is closed when the task ends. */
    synchronized void startConnection(final Socket connection, final Runnable task) {
        if (closed) {
            closeQuietly(connection);
            return;
        }
        connections.add(connection);
        start(() -> {
            try {
                task.run();
            } finally {
                closeQuietly(connection);
            }
        });
    }

    /** Closes {@code listener} and every connection, then waits for every thread to end. */
    void close(ServerSocket listener) {
        List<Thread> running;
        synchronized (this) {
            closed = true;
            closeQuietly(listener);
            for (Socket connection : connections) {
                closeQuietly(connection);
            }
            running = new ArrayList<Thread>(threads);
        }
        for (Thread thread : running) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void closeQuietly(Closeable socket) {
        try {
            socket.close();
        } catch (IOException alreadyBroken) {
            // Closing is all that is wanted; a socket that fails to close is closed enough.
        }
    }
}
