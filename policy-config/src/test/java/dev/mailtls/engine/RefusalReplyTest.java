package dev.mailtls.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.TlsLevel;
import org.junit.jupiter.api.Test;

class RefusalReplyTest {
    @Test
    void deferIsA454WithTheRuleAndTheConsequence() {
        RefusalReply reply = RefusalReply.of(EngineTestRequirements.requirement(TlsLevel.DANE_ONLY, PolicyAction.DEFER,
                ConnectionRequirement.Kind.DANE, null).match().rule(), RefusalReply.TLS_NOT_AVAILABLE,
                "TLS is required, but was not offered by host mx.example.com");
        assertThat(reply.code()).isEqualTo(454);
        assertThat(reply.enhancedStatus()).isEqualTo("4.7.4");
        assertThat(reply.permanent()).isFalse();
        assertThat(reply.what()).isEqualTo("TLS is required, but was not offered by host mx.example.com");
        assertThat(reply).hasToString("454 4.7.4 TLS is required, but was not offered by host mx.example.com."
                + " MailTLS Guard policy \"dane-only\" from mailtls.level (/etc/mailtls.properties:3);"
                + " message deferred (action=defer)");
    }

    @Test
    void rejectIsA554() {
        RefusalReply reply = RefusalReply.of(EngineTestRequirements.requirement(TlsLevel.VERIFY, PolicyAction.REJECT,
                ConnectionRequirement.Kind.VERIFY, null).match().rule(), RefusalReply.NOT_VERIFIED,
                "Server certificate not verified: expired.");
        assertThat(reply.code()).isEqualTo(554);
        assertThat(reply.permanent()).isTrue();
        assertThat(reply.toString()).startsWith("554 5.7.5 Server certificate not verified: expired. MailTLS Guard policy"
                + " \"verify\"").endsWith("message rejected (action=reject)");
    }

    @Test
    void unknownDetailIsRefused() {
        assertThatThrownBy(() -> RefusalReply.of(EngineTestRequirements.requirement(TlsLevel.VERIFY, PolicyAction.REJECT,
                ConnectionRequirement.Kind.VERIFY, null).match().rule(), 1, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refusal detail 1");
    }
}
