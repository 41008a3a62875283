package dev.mailtls.it.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A popular library that applications send mail with, on top of a {@link MailLibrary}: its jars
 * (copied by the build into {@code target/sender-libs/ID/}, see this module's pom.xml), the
 * mail library its release depends on, and the sample application that uses it
 * ({@code src/test/resources/sample-apps/MAIN.java}).
 */
public enum SenderLibrary {
    /** Spring Framework 5.3's {@code JavaMailSenderImpl} with javax.mail 1.6.2, as Spring Boot 2 ships it. */
    SPRING_5_3("spring-5.3", MailLibrary.JAVAX_MAIL_1_6_2, "SpringSender", 8),
    /** Spring Framework 6.2's {@code JavaMailSenderImpl} with Angus Mail 2.0.3, as Spring Boot 3 ships it. */
    SPRING_6_2("spring-6.2", MailLibrary.ANGUS_MAIL_2_0_3, "SpringSender", 17),
    /** Apache Commons Email 1.5 with javax.mail 1.5.6, its own dependency. */
    COMMONS_EMAIL_1_5("commons-email-1.5", MailLibrary.JAVAX_MAIL_1_5_6, "CommonsEmailSender", 8),
    /** Simple Java Mail 8.12 with Angus Mail 2.0.3, its own dependency. */
    SIMPLE_JAVA_MAIL_8("simple-java-mail-8", MailLibrary.ANGUS_MAIL_2_0_3, "SimpleJavaMailSender", 8);

    private final String id;
    private final MailLibrary mailLibrary;
    private final String mainClass;
    private final int release;

    SenderLibrary(String id, MailLibrary mailLibrary, String mainClass, int release) {
        this.id = id;
        this.mailLibrary = mailLibrary;
        this.mainClass = mainClass;
        this.release = release;
    }

    public String id() {
        return id;
    }

    public MailLibrary mailLibrary() {
        return mailLibrary;
    }

    /** The sample application's main class (default package). */
    public String mainClass() {
        return mainClass;
    }

    /** The Java release the sample application is compiled for: the oldest the library runs on. */
    public int release() {
        return release;
    }

    /** The library's own jars, then the mail library's. */
    public List<Path> jars() {
        List<Path> jars = new ArrayList<>(MailLibrary.jarsIn(Path.of("target", "sender-libs", id)));
        jars.addAll(mailLibrary.jars());
        return jars;
    }

    @Override
    public String toString() {
        return id;
    }
}
