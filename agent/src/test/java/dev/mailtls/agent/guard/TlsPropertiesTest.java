package dev.mailtls.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

class TlsPropertiesTest {
    private final SSLSocketFactory ours = (SSLSocketFactory) SSLSocketFactory.getDefault();
    private final SocketFactoryClasses.Named classes = new SocketFactoryClasses().seenBy(null);

    @Test
    void copyKeepsDefaultsAndObjectsAndForbidsTheFallbackConnection() {
        Properties defaults = new Properties();
        defaults.setProperty("mail.smtp.timeout", "1000");
        Properties props = new Properties(defaults);
        Object factoryObject = new Object();
        props.put("mail.smtp.ssl.socketFactory", factoryObject);
        props.setProperty("mail.smtp.socketFactory.fallback", "true");

        Properties copy = TlsProperties.copy(props, "mail.smtp");

        assertThat(copy.get("mail.smtp.timeout")).as("from the defaults").isEqualTo("1000");
        assertThat(copy.get("mail.smtp.ssl.socketFactory")).isSameAs(factoryObject);
        assertThat(copy.getProperty("mail.smtp.socketFactory.fallback")).isEqualTo("false");
        assertThat(props.getProperty("mail.smtp.socketFactory.fallback")).as("the session's own is untouched").isEqualTo("true");
    }

    @Test
    void installOverridesEverySettingThatCouldWeakenTheHandshake() {
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.ssl.trust", "*");
        copy.setProperty("mail.smtp.ssl.socketFactory.class", "com.example.TrustAll");
        copy.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        copy.setProperty("mail.smtp.ssl.protocols", "TLSv1");
        copy.setProperty("mail.smtp.ssl.ciphersuites", "TLS_RSA_WITH_NULL_SHA");

        TlsProperties.install(copy, "mail.smtp", ours, List.of("TLSv1.3", "TLSv1.2"), classes);

        assertThat(copy.get("mail.smtp.ssl.socketFactory")).isSameAs(ours);
        assertThat(copy).doesNotContainKeys("mail.smtp.ssl.trust", "mail.smtp.ssl.socketFactory.class", "mail.smtp.ssl.ciphersuites");
        assertThat(copy.getProperty("mail.smtp.ssl.checkserveridentity")).isEqualTo("false");
        assertThat(copy.getProperty("mail.smtp.ssl.protocols")).isEqualTo("TLSv1.3 TLSv1.2");
    }

    @Test
    void sslOnConnectFactoryOfCommonsEmailIsReplacedToo() {
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.socketFactory.class", "javax.net.ssl.SSLSocketFactory");
        copy.setProperty("mail.smtp.socketFactory.port", "465");

        assertThat(TlsProperties.hasSslSocketFactory(copy, "mail.smtp", classes)).isTrue();
        TlsProperties.install(copy, "mail.smtp", ours, List.of("TLSv1.2"), classes);

        assertThat(copy.get("mail.smtp.socketFactory")).isSameAs(ours);
        assertThat(copy).doesNotContainKey("mail.smtp.socketFactory.class");
        assertThat(copy.getProperty("mail.smtp.socketFactory.port")).isEqualTo("465");
    }

    @Test
    void plainSocketFactoryIsNotMistakenForTls() {
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.socketFactory.class", "javax.net.SocketFactory");

        assertThat(TlsProperties.hasSslSocketFactory(copy, "mail.smtp", classes)).isFalse();
    }

    @Test
    void unknownFactoryClassIsTreatedAsTlsSoThePolicyMakesTheHandshake() {
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.socketFactory.class", "com.example.NotOnTheClassPath");

        assertThat(TlsProperties.hasSslSocketFactory(copy, "mail.smtp", classes)).isTrue();
    }

    @Test
    void applicationsOwnFactoryObjectIsFoundBeforeItIsReplaced() throws IOException {
        Properties copy = new Properties();
        SSLSocketFactory applications = (SSLSocketFactory) SSLSocketFactory.getDefault();
        copy.put("mail.smtps.ssl.socketFactory", applications);

        assertThat(TlsProperties.applicationFactory(copy, "mail.smtps", true, classes)).isSameAs(applications);
        TlsProperties.install(copy, "mail.smtps", ours, List.of("TLSv1.3"), classes);
        assertThat(copy.get("mail.smtps.ssl.socketFactory")).isSameAs(ours);
    }

    @Test
    void sslOnConnectFactoryObjectCountsAsTheApplicationsOwn() throws IOException {
        Properties copy = new Properties();
        SSLSocketFactory applications = (SSLSocketFactory) SSLSocketFactory.getDefault();
        copy.put("mail.smtp.socketFactory", applications);

        assertThat(TlsProperties.applicationFactory(copy, "mail.smtp", true, classes)).isSameAs(applications);
    }

    @Test
    void theJdksOwnFactoryClassAndPlainFactoriesAreNoApplicationFactory() throws IOException {
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.ssl.socketFactory.class", "javax.net.ssl.SSLSocketFactory");
        copy.put("mail.smtp.socketFactory", javax.net.SocketFactory.getDefault());

        assertThat(TlsProperties.applicationFactory(copy, "mail.smtp", true, classes)).isNull();
    }

    @Test
    void factoryNamedByClassIsWhatItsGetDefaultReturns() throws Exception {
        SSLSocketFactory applications = keyedFactory();
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.ssl.socketFactory.class", FactoryClassFixtures.KeyedFactoryClass.class.getName());

        assertThat(TlsProperties.applicationFactory(copy, "mail.smtp", true, classes)).isSameAs(applications);
        TlsProperties.install(copy, "mail.smtp", ours, List.of("TLSv1.3"), classes);
        assertThat(copy).doesNotContainKey("mail.smtp.ssl.socketFactory.class");
    }

    @Test
    void sslOnConnectFactoryClassIsReadButOnlyTheSslFactoryIsAskedWhenTheLibraryWouldAskIt() throws Exception {
        SSLSocketFactory applications = keyedFactory();
        Properties copy = new Properties();
        copy.setProperty("mail.smtps.socketFactory.class", FactoryClassFixtures.KeyedFactoryClass.class.getName());
        copy.setProperty("mail.smtps.ssl.socketFactory.class", FactoryClassFixtures.NullFactoryClass.class.getName());

        assertThat(TlsProperties.applicationFactory(copy, "mail.smtps", true, classes)).as("null: look further")
                .isSameAs(applications);
        assertThat(TlsProperties.applicationFactory(copy, "mail.smtps", false, classes)).isSameAs(applications);
        assertThat(FactoryClassFixtures.getDefaultCalls).as("once per class").hasValue(2);
    }

    @Test
    void classThatIsNoFactoryStandsForTlsWhenItsGetDefaultGivesATlsFactory() throws Exception {
        SSLSocketFactory applications = keyedFactory();
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.socketFactory.class", FactoryClassFixtures.FactoryHolder.class.getName());

        assertThat(TlsProperties.hasSslSocketFactory(copy, "mail.smtp", classes)).isTrue();
        assertThat(TlsProperties.applicationFactory(copy, "mail.smtp", false, classes)).isSameAs(applications);
        TlsProperties.install(copy, "mail.smtp", ours, List.of("TLSv1.3"), classes);
        assertThat(copy.get("mail.smtp.socketFactory")).isSameAs(ours);
        assertThat(copy).doesNotContainKey("mail.smtp.socketFactory.class");
    }

    @Test
    void factoryClassThatCannotBeMadeFailsLikeTheLibrary() {
        FactoryClassFixtures.reset(null);
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.ssl.socketFactory.class", FactoryClassFixtures.FailingFactoryClass.class.getName());

        assertThatThrownBy(() -> TlsProperties.applicationFactory(copy, "mail.smtp", true, classes))
                .isInstanceOf(IOException.class).hasMessageContaining("mail.smtp.ssl.socketFactory.class names cannot be made");
    }

    @Test
    void plainFactoryClassIsNoApplicationTlsFactory() throws Exception {
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.socketFactory.class", "javax.net.SocketFactory");

        assertThat(TlsProperties.applicationFactory(copy, "mail.smtp", true, classes)).isNull();
    }

    /** A factory of the JDK's provider that {@link FactoryClassFixtures}' classes hand out. */
    private static SSLSocketFactory keyedFactory() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLSocketFactory factory = context.getSocketFactory();
        FactoryClassFixtures.reset(factory);
        return factory;
    }
}
