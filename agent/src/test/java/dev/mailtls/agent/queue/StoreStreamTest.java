package dev.mailtls.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * A disk error of the queue passes through the host library's {@code writeTo}: it must be told
 * apart from a failure of the message itself, so that the application hears "not queued" (4.7.x)
 * and not a message error.
 */
class StoreStreamTest {
    private static final class FullDisk extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            throw new IOException("No space left on device");
        }
    }

    @Test
    void aWriteErrorOfTheStoreIsRecognisedThroughTheLibrary() throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setText("body");
        message.saveChanges();
        AgentQueue.StoreStream store = new AgentQueue.StoreStream(new FullDisk());

        Throwable thrown = catchThrowable(() -> message.writeTo(store));

        assertThat(thrown).isInstanceOf(IOException.class).hasMessageContaining("No space left");
        assertThat(store.causedBy(thrown)).isTrue();
        assertThat(store.causedBy(new MessagingException("wrapped", (Exception) thrown))).isTrue();
    }

    @Test
    void aFailureOfTheMessageIsNotTheStores() {
        AgentQueue.StoreStream store = new AgentQueue.StoreStream(new FullDisk());

        assertThat(store.causedBy(new MessagingException("the message's content cannot be read"))).isFalse();
    }
}
