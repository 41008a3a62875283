// Embedded Tomcat serving one web application from a folder (WEB-INF/classes, WEB-INF/lib,
// WEB-INF/web.xml), as a servlet container runs it: the application's classes and jars are
// loaded by Tomcat's web application class loader, not the system class loader. It calls the
// application's /send once, then stops.
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

public class TomcatLauncher {
    /** Arguments: WEBAPP-FOLDER HOST PORT RECIPIENT SUBJECT. */
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
            URL url = new URL("http://127.0.0.1:" + connector.getLocalPort() + "/app/send?host=" + encode(args[1])
                    + "&port=" + encode(args[2]) + "&to=" + encode(args[3]) + "&subject=" + encode(args[4]));
            HttpURLConnection http = (HttpURLConnection) url.openConnection();
            http.setReadTimeout(120000);
            try (InputStream in = http.getInputStream()) {
                in.readAllBytes();
            }
            System.out.println("HTTP " + http.getResponseCode());
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    private static String encode(String value) throws Exception {
        return URLEncoder.encode(value, "UTF-8");
    }
}
