package dev.mailtls.it.queue;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.nio.file.Path;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The queue's JMX MBean in a running application JVM, read from the test JVM as a monitoring tool
 * would: through the attach API's local management agent.
 */
final class QueueMBean {
    private QueueMBean() {
    }

    /** The attribute once it equals {@code expected}, or its last value after 30 s. */
    static Object awaitAttribute(long pid, Path queueDir, String name, Object expected) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Object value = attribute(pid, queueDir, name);
        while (!expected.equals(value) && System.nanoTime() < deadline) {
            AppProcess.pause(200);
            value = attribute(pid, queueDir, name);
        }
        return value;
    }

    /** The attribute {@code name} of {@code dev.mailtls:type=Queue,directory="DIR"} in the JVM {@code pid}. */
    static Object attribute(long pid, Path queueDir, String name) {
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
                MBeanServerConnection server = connector.getMBeanServerConnection();
                ObjectName bean = new ObjectName("dev.mailtls:type=Queue,directory=" + ObjectName.quote(queueDir.toString()));
                return server.getAttribute(bean, name);
            }
        } catch (IOException | javax.management.JMException | com.sun.tools.attach.AttachNotSupportedException e) {
            throw new AssertionError("cannot read " + name + " of the queue MBean in JVM " + pid + ": " + e, e);
        }
    }
}
