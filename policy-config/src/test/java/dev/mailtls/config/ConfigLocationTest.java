package dev.mailtls.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConfigLocationTest {
    private final Properties properties = new Properties();

    @Test
    void agentArgumentComesFirst() {
        properties.setProperty("mailtls.config", "/from/property");

        ConfigLocation location = ConfigLocation.find("/from/agent", properties, Map.of("MAILTLS_CONFIG", "/from/env"));

        assertThat(location.file()).isEqualTo(Path.of("/from/agent"));
        assertThat(location.how()).isEqualTo("agent argument config=");
    }

    @Test
    void systemPropertyComesBeforeTheEnvironment() {
        properties.setProperty("mailtls.config", "/from/property");

        ConfigLocation location = ConfigLocation.find(null, properties, Map.of("MAILTLS_CONFIG", "/from/env"));

        assertThat(location.file()).isEqualTo(Path.of("/from/property"));
        assertThat(location.how()).isEqualTo("system property -Dmailtls.config");
    }

    @Test
    void environmentVariableIsTheLastResort() {
        ConfigLocation location = ConfigLocation.find(" ", properties, Map.of("MAILTLS_CONFIG", "/from/env"));

        assertThat(location.file()).isEqualTo(Path.of("/from/env"));
        assertThat(location.how()).isEqualTo("environment variable MAILTLS_CONFIG");
    }

    @Test
    void withoutAnyTheBuiltInDefaultsApply() {
        ConfigLocation location = ConfigLocation.find(null, properties, Map.of());

        assertThat(location.file()).isNull();
        assertThat(location.toString()).contains("built-in defaults");
    }
}
