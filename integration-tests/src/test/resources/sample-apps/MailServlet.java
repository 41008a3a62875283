// A servlet of an ordinary web application that sends mail with the Jakarta Mail in its own
// WEB-INF/lib, unaware of MailTLS Guard. GET /send?scenario=&host=&port=&to=&subject= sends one
// message with opportunistic STARTTLS. Output: see SampleOutput (one scenario per request), plus
// one line "LOADER <class loader class>" naming the loader of the mail classes.
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Properties;

public class MailServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Properties props = new Properties();
        props.setProperty("mail.smtp.host", request.getParameter("host"));
        props.setProperty("mail.smtp.port", request.getParameter("port"));
        props.setProperty("mail.smtp.starttls.enable", "true");
        props.setProperty("mail.smtp.connectiontimeout", "20000");
        props.setProperty("mail.smtp.timeout", "20000");
        Session session = Session.getInstance(props);
        String scenario = request.getParameter("scenario");
        SampleOutput.begin(scenario);
        System.out.println("LOADER " + Transport.class.getClassLoader().getClass().getName());
        try {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress("sender@client.test"));
            message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(request.getParameter("to")));
            message.setSubject(request.getParameter("subject"));
            message.setText("A message from the MailTLS Guard integration tests, sent from a Tomcat web application.\n");
            Transport.send(message);
            SampleOutput.sent(scenario);
        } catch (MessagingException e) {
            SampleOutput.failed(scenario, e);
        }
        response.setContentType("text/plain");
        response.getWriter().println("done");
    }
}
