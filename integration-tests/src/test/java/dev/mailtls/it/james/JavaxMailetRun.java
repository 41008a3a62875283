package dev.mailtls.it.james;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs the javax mailet jar in a JVM of its own whose class path is James 3.8's mailet API and
 * javax.mail, nothing of jakarta: {@code CONFIG_FILE SUBJECT RECIPIENT...}. Written with
 * reflection only, because this test source tree is compiled against the jakarta API. Prints
 * {@code state=...} for the mail and one {@code sent ...} line per mail handed back to James.
 */
public final class JavaxMailetRun {
    private JavaxMailetRun() {
    }

    public static void main(String[] args) throws Exception {
        String config = args[0];
        String subject = args[1];
        String[] recipients = List.of(args).subList(2, args.length).toArray(new String[0]);

        Object context = Class.forName("org.apache.mailet.base.test.FakeMailContext").getMethod("defaultContext").invoke(null);
        Object configBuilder = Class.forName("org.apache.mailet.base.test.FakeMailetConfig").getMethod("builder").invoke(null);
        call(configBuilder, "mailetName", "tls-delivery-javax");
        Method mailetContext = configBuilder.getClass().getMethod("mailetContext", Class.forName("org.apache.mailet.MailetContext"));
        mailetContext.invoke(configBuilder, context);
        for (String[] parameter : new String[][] {{"config", config}, {"connectionTimeout", "10s"}, {"timeout", "30s"},
                {"heloName", "james38.mailtls.invalid"}}) {
            call(configBuilder, "setProperty", parameter[0], parameter[1]);
        }
        Object mailetConfig = call(configBuilder, "build");

        Object mailet = Class.forName("dev.mailtls.james.TlsPolicyDelivery").getConstructor().newInstance();
        mailet.getClass().getMethod("init", Class.forName("org.apache.mailet.MailetConfig")).invoke(mailet, mailetConfig);

        String text = "From: sender@james.mailtls.invalid\r\nTo: " + String.join(", ", recipients) + "\r\nSubject: " + subject
                + "\r\n\r\nMailTLS Guard javax mailet test\r\n";
        Class<?> session = Class.forName("javax.mail.Session");
        Object message = Class.forName("javax.mail.internet.MimeMessage")
                .getConstructor(session, java.io.InputStream.class)
                .newInstance(null, new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
        // builder() returns a lambda: call its interface's method, not the lambda class's.
        Object mailBuilder = Class.forName("org.apache.mailet.base.test.FakeMail$RequireName").getMethod("name", String.class)
                .invoke(Class.forName("org.apache.mailet.base.test.FakeMail").getMethod("builder").invoke(null), "javax-run");
        mailBuilder.getClass().getMethod("mimeMessage", Class.forName("javax.mail.internet.MimeMessage"))
                .invoke(mailBuilder, message);
        call(mailBuilder, "sender", "sender@james.mailtls.invalid");
        mailBuilder.getClass().getMethod("recipients", String[].class).invoke(mailBuilder, (Object) recipients);
        call(mailBuilder, "state", "relay");
        Object mail = call(mailBuilder, "build");

        mailet.getClass().getMethod("service", Class.forName("org.apache.mailet.Mail")).invoke(mailet, mail);
        mailet.getClass().getMethod("destroy").invoke(mailet);

        System.out.println("state=" + call(mail, "getState") + " recipients=" + call(mail, "getRecipients"));
        for (Object sent : (List<?>) call(context, "getSentMails")) {
            System.out.println("sent state=" + call(sent, "getState") + " recipients=" + call(sent, "getRecipients")
                    + " delay=" + call(sent, "getDelay") + " attributes=" + call(sent, "getAttributes"));
        }
        System.exit(0);
    }

    private static Object call(Object target, String name, Object... arguments) throws ReflectiveOperationException {
        for (Method method : target.getClass().getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == arguments.length
                    && (arguments.length == 0 || method.getParameterTypes()[0] == arguments[0].getClass())) {
                return method.invoke(target, arguments);
            }
        }
        throw new NoSuchMethodException(target.getClass().getName() + "." + name);
    }
}
