package dev.mailtls.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Properties;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

/**
 * The per-connection properties, and the application's socket factories found where and in the
 * order Jakarta Mail's {@code SocketFetcher} looks for them (javap of javax.mail 1.4.7 to Angus
 * Mail 2.0.3: {@code getSocket} stops at the first place that gives any factory; {@code startTLS}
 * looks on past one that is no TLS factory, to an object but not to a class).
 */
class TlsPropertiesTest {
    private final SSLSocketFactory ours = (SSLSocketFactory) SSLSocketFactory.getDefault();

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

        TlsProperties.install(copy, "mail.smtp", ours, List.of("TLSv1.3", "TLSv1.2"), false);

        assertThat(copy.get("mail.smtp.ssl.socketFactory")).isSameAs(ours);
        assertThat(copy).doesNotContainKeys("mail.smtp.ssl.trust", "mail.smtp.ssl.socketFactory.class", "mail.smtp.ssl.ciphersuites");
        assertThat(copy.getProperty("mail.smtp.ssl.checkserveridentity")).isEqualTo("false");
        assertThat(copy.getProperty("mail.smtp.ssl.protocols")).isEqualTo("TLSv1.3 TLSv1.2");
    }

    @Test
    void sslOnConnectFactoryOfCommonsEmailIsReplacedToo() throws IOException {
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.socketFactory.class", "javax.net.ssl.SSLSocketFactory");
        copy.setProperty("mail.smtp.socketFactory.port", "465");

        assertThat(TlsProperties.pinConnectFactory(copy, "mail.smtp", false, classes(), null)).satisfies(this::jvmsDefault);
        TlsProperties.install(copy, "mail.smtp", ours, List.of("TLSv1.2"), true);

        assertThat(copy.get("mail.smtp.socketFactory")).isSameAs(ours);
        assertThat(copy).doesNotContainKey("mail.smtp.socketFactory.class");
        assertThat(copy.getProperty("mail.smtp.socketFactory.port")).isEqualTo("465");
    }

    @Test
    void theFactoryThePolicyLookedAtIsTheOneTheLibraryGetsAndNoClassIsLeftToAskAgain() throws Exception {
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.socketFactory.class", "javax.net.SocketFactory");

        SocketFactory connecting = TlsProperties.pinConnectFactory(copy, "mail.smtp", false, classes(), null);

        assertThat(connecting).isNotInstanceOf(SSLSocketFactory.class).isSameAs(SocketFactory.getDefault());
        assertThat(copy.get("mail.smtp.socketFactory")).isSameAs(connecting);
        assertThat(copy).doesNotContainKey("mail.smtp.socketFactory.class");
    }

    @Test
    void aFactoryClassThatCannotBeMadeFailsTheConnection() {
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.socketFactory.class", "com.example.NotOnTheClassPath");

        assertThatThrownBy(() -> TlsProperties.pinConnectFactory(copy, "mail.smtp", false, classes(),
                "mail.smtp.socketFactory.fallback")).isInstanceOf(IOException.class)
                .hasMessageContaining("com.example.NotOnTheClassPath that mail.smtp.socketFactory.class names cannot be made")
                .hasMessageContaining("as mail.smtp.socketFactory.fallback is not false");
    }

    @Test
    void onConnectWithoutSslTheSslPlacesAreNotLookedAt() throws Exception {
        SSLSocketFactory applications = keyedFactory();
        Properties copy = new Properties();
        // Fails if asked: the library does not ask it for a connection that starts in plaintext.
        copy.setProperty("mail.smtp.ssl.socketFactory.class", FactoryClassFixtures.FailingFactoryClass.class.getName());
        copy.setProperty("mail.smtp.socketFactory.class", FactoryClassFixtures.KeyedFactoryClass.class.getName());

        assertThat(TlsProperties.pinConnectFactory(copy, "mail.smtp", false, classes(), null)).isSameAs(applications);
        assertThat(FactoryClassFixtures.getDefaultCalls).hasValue(1);
    }

    @Test
    void onConnectTheFirstPlaceGivingAnyFactoryIsIt() throws Exception {
        keyedFactory();
        Properties copy = new Properties();
        copy.setProperty("mail.smtps.ssl.socketFactory.class", "javax.net.ssl.SSLSocketFactory");
        copy.setProperty("mail.smtps.socketFactory.class", FactoryClassFixtures.KeyedFactoryClass.class.getName());
        Properties plainFirst = new Properties();
        plainFirst.put("mail.smtps.ssl.socketFactory", SocketFactory.getDefault());
        plainFirst.setProperty("mail.smtps.socketFactory.class", FactoryClassFixtures.FailingFactoryClass.class.getName());

        assertThat(TlsProperties.pinConnectFactory(copy, "mail.smtps", true, classes(), null))
                .as("the JDK's own class gives the JVM's default factory").satisfies(this::jvmsDefault);
        assertThat(TlsProperties.pinConnectFactory(plainFirst, "mail.smtps", true, classes(), null))
                .as("a plain factory ends the search too").isSameAs(SocketFactory.getDefault());
        assertThat(FactoryClassFixtures.getDefaultCalls).hasValue(0);
    }

    @Test
    void aTlsFactoryClassWhoseGetDefaultGivesNothingIsNoFactory() throws Exception {
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.socketFactory.class", FactoryClassFixtures.NullFactoryClass.class.getName());

        assertThat(TlsProperties.pinConnectFactory(copy, "mail.smtp", false, classes(), null))
                .as("decided by what getDefault() returns, not by the class").isNull();
        assertThat(copy).doesNotContainKeys("mail.smtp.socketFactory", "mail.smtp.socketFactory.class");
    }

    @Test
    void classThatIsNoFactoryStandsForTlsWhenItsGetDefaultGivesATlsFactory() throws Exception {
        SSLSocketFactory applications = keyedFactory();
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.socketFactory.class", FactoryClassFixtures.FactoryHolder.class.getName());

        assertThat(TlsProperties.pinConnectFactory(copy, "mail.smtp", false, classes(), null)).isSameAs(applications);
        TlsProperties.install(copy, "mail.smtp", ours, List.of("TLSv1.3"), true);
        assertThat(copy.get("mail.smtp.socketFactory")).isSameAs(ours);
        assertThat(copy).doesNotContainKey("mail.smtp.socketFactory.class");
    }

    @Test
    void startTlsFindsTheApplicationsFactoryObjects() throws IOException {
        SSLSocketFactory applications = (SSLSocketFactory) SSLSocketFactory.getDefault();
        Properties ssl = new Properties();
        ssl.put("mail.smtps.ssl.socketFactory", applications);
        Properties onConnect = new Properties();
        onConnect.put("mail.smtp.socketFactory", applications);

        assertThat(TlsProperties.startTlsFactory(ssl, "mail.smtps", classes())).isSameAs(applications);
        assertThat(TlsProperties.startTlsFactory(onConnect, "mail.smtp", classes())).isSameAs(applications);
    }

    @Test
    void startTlsLooksPastAPlainFactoryToAnObjectButNotToAClass() throws IOException {
        SSLSocketFactory applications = (SSLSocketFactory) SSLSocketFactory.getDefault();
        Properties toObject = new Properties();
        toObject.put("mail.smtp.ssl.socketFactory", SocketFactory.getDefault());
        toObject.put("mail.smtp.socketFactory", applications);
        Properties notToClass = new Properties();
        notToClass.put("mail.smtp.ssl.socketFactory", SocketFactory.getDefault());
        // Fails if asked: SocketFetcher.startTLS asks it only when nothing was found before.
        notToClass.setProperty("mail.smtp.socketFactory.class", FactoryClassFixtures.FailingFactoryClass.class.getName());

        assertThat(TlsProperties.startTlsFactory(toObject, "mail.smtp", classes())).isSameAs(applications);
        assertThat(TlsProperties.startTlsFactory(notToClass, "mail.smtp", classes())).as("the JVM's default").isNull();
    }

    @Test
    void startTlsStopsAtTheJdksOwnFactoryClass() throws Exception {
        keyedFactory();
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.ssl.socketFactory.class", "javax.net.ssl.SSLSocketFactory");
        copy.setProperty("mail.smtp.socketFactory.class", FactoryClassFixtures.KeyedFactoryClass.class.getName());

        assertThat(TlsProperties.startTlsFactory(copy, "mail.smtp", classes())).satisfies(this::jvmsDefault);
        assertThat(FactoryClassFixtures.getDefaultCalls).hasValue(0);
    }

    @Test
    void startTlsFactoryNamedByClassIsWhatItsGetDefaultReturns() throws Exception {
        SSLSocketFactory applications = keyedFactory();
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.ssl.socketFactory.class", FactoryClassFixtures.KeyedFactoryClass.class.getName());

        assertThat(TlsProperties.startTlsFactory(copy, "mail.smtp", classes())).isSameAs(applications);
        TlsProperties.install(copy, "mail.smtp", ours, List.of("TLSv1.3"), false);
        assertThat(copy).doesNotContainKey("mail.smtp.ssl.socketFactory.class");
    }

    @Test
    void startTlsLooksFurtherWhenGetDefaultGivesNothingAndMakesEachClassOncePerConnection() throws Exception {
        SSLSocketFactory applications = keyedFactory();
        Properties copy = new Properties();
        copy.setProperty("mail.smtps.socketFactory.class", FactoryClassFixtures.KeyedFactoryClass.class.getName());
        copy.setProperty("mail.smtps.ssl.socketFactory.class", FactoryClassFixtures.NullFactoryClass.class.getName());
        SocketFactoryClasses connection = classes();

        assertThat(TlsProperties.startTlsFactory(copy, "mail.smtps", connection)).isSameAs(applications);
        assertThat(TlsProperties.startTlsFactory(copy, "mail.smtps", connection)).isSameAs(applications);
        assertThat(FactoryClassFixtures.getDefaultCalls).as("once per class in one connection").hasValue(2);
    }

    @Test
    void startTlsWithAFactoryClassThatCannotBeMadeFailsLikeTheLibrary() {
        FactoryClassFixtures.reset(null);
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.ssl.socketFactory.class", FactoryClassFixtures.FailingFactoryClass.class.getName());

        assertThatThrownBy(() -> TlsProperties.startTlsFactory(copy, "mail.smtp", classes()))
                .isInstanceOf(IOException.class).hasMessageContaining("mail.smtp.ssl.socketFactory.class names cannot be made")
                .hasMessageContaining(", as the mail library would:");
    }

    @Test
    void startTlsWithAPlainFactoryClassHasNoApplicationTlsFactory() throws Exception {
        Properties copy = new Properties();
        copy.setProperty("mail.smtp.socketFactory.class", "javax.net.SocketFactory");

        assertThat(TlsProperties.startTlsFactory(copy, "mail.smtp", classes())).isNull();
    }

    /** A factory of the JVM's default TLS context, which hands out a new factory object on every call. */
    private void jvmsDefault(Object factory) {
        assertThat(factory).isInstanceOf(SSLSocketFactory.class).hasSameClassAs(SSLSocketFactory.getDefault());
        assertThat(factory).isNotSameAs(ours).isNotInstanceOf(FactoryClassFixtures.Wrapper.class);
    }

    /** The classes of one new connection of Jakarta Mail's transport. */
    private static SocketFactoryClasses classes() {
        return new SocketFactoryClasses(com.sun.mail.smtp.SMTPTransport.class);
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
