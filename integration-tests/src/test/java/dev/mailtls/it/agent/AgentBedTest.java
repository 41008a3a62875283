package dev.mailtls.it.agent;

import dev.mailtls.it.bed.TestBed;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every agent test on the bed shares: the bed of this JVM, reset before each test (proxy
 * logs, fake AUTH, Maildirs), and a folder of its own for the test's agent configuration.
 */
abstract class AgentBedTest {
    static TestBed bed;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBed() {
        bed = TestBed.shared();
    }

    @BeforeEach
    void cleanBed() {
        bed.reset();
    }
}
