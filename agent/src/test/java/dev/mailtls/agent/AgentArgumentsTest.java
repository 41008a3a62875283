package dev.mailtls.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AgentArgumentsTest {
    @Test
    void configAndLogAreRead() {
        AgentArguments arguments = AgentArguments.parse("config=/etc/mailtls.properties, log=/var/log/mailtls.log");

        assertThat(arguments.get("config")).isEqualTo("/etc/mailtls.properties");
        assertThat(arguments.get("log")).isEqualTo("/var/log/mailtls.log");
    }

    @Test
    void noArgumentsIsFine() {
        assertThat(AgentArguments.parse(null).get("config")).isNull();
        assertThat(AgentArguments.parse("").get("config")).isNull();
    }

    @Test
    void unknownArgumentNamesWhatIsAllowed() {
        assertThatThrownBy(() -> AgentArguments.parse("conf=/etc/x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent argument \"conf=/etc/x\" is not understood; allowed: config=FILE, log=FILE (comma-separated)");
        assertThatThrownBy(() -> AgentArguments.parse("/etc/x")).hasMessageContaining("\"/etc/x\" is not understood");
    }
}
