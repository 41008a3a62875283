// Embedded Tomcat serving one web application from a folder (WEB-INF/classes, WEB-INF/lib,
// WEB-INF/web.xml), as a servlet container runs it: the application's classes and jars are
// loaded by Tomcat's web application class loader, not the system class loader. It calls the
// application's /send once per scenario, then stops.
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

public class TomcatLauncher {
    /**
     * Arguments: WEBAPP-FOLDER SUBJECT-PREFIX NAME,HOST,PORT[,...]...: one request per scenario,
     * each sending to user@DOMAIN (HOST without its "mx.") with the subject SUBJECT-PREFIX-NAME
     * (the servlet has one TLS style, opportunistic STARTTLS; further fields are ignored).
     */
    public static void main(String[] args) throws Exception {
        Tomcat tomcat = new Tomcat();
        // Tomcat's work folder, beside the web application's.
        tomcat.setBaseDir(Files.createDirectories(Paths.get(args[0]).toAbsolutePath().resolveSibling("tomcat-base")).toString());
        tomcat.setHostname("127.0.0.1");
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        tomcat.addWebapp("/app", args[0]);
        tomcat.start();
        try {
            for (int i = 2; i < args.length; i++) {
                String[] spec = args[i].split(",");
                URL url = new URL("http://127.0.0.1:" + connector.getLocalPort() + "/app/send?scenario=" + encode(spec[0])
                        + "&host=" + encode(spec[1]) + "&port=" + encode(spec[2])
                        + "&to=" + encode("user@" + spec[1].substring("mx.".length()))
                        + "&subject=" + encode(args[1] + "-" + spec[0]));
                HttpURLConnection http = (HttpURLConnection) url.openConnection();
                http.setReadTimeout(120000);
                try (InputStream in = http.getInputStream()) {
                    in.readAllBytes();
                }
                System.out.println("HTTP " + http.getResponseCode());
            }
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    private static String encode(String value) throws Exception {
        return URLEncoder.encode(value, "UTF-8");
    }
}
