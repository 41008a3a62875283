package dev.mailtls.it.jar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.it.agent.SenderRun;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.junit.jupiter.api.Test;

/**
 * The agent jar the build made, as a host application meets it: the jar is on the application's
 * system class path (and, once the agent runs, on the bootstrap class path), so only the launcher
 * and the bridge may be classes there. The engine, the guard, the command-line tool and
 * the relocated libraries live under {@code inst/} as {@code .classdata}, where only the agent's
 * own class loader finds them; nothing of a shaded library may register itself with the host JVM
 * (service providers, module descriptors, multi-release variants).
 */
class AgentJarTest {
    private static final Path AGENT_JAR = SenderRun.AGENT_JAR;
    private static final String LAUNCHER = "dev/mailtls/agent/launcher/";
    private static final String BRIDGE = "dev/mailtls/agent/bootstrap/";
    private static final String ISOLATED = "inst/";
    /** Byte Buddy's advice annotations, as relocated into the agent jar. */
    private static final Set<String> ADVICE_ANNOTATIONS = Set.of(
            "Ldev/mailtls/shaded/bytebuddy/asm/Advice$OnMethodEnter;", "Ldev/mailtls/shaded/bytebuddy/asm/Advice$OnMethodExit;");

    private static List<String> entries() throws IOException {
        try (JarFile jar = new JarFile(AGENT_JAR.toFile())) {
            return Collections.list(jar.entries()).stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void onlyTheLauncherAndTheBridgeAreClassesAtTheRoot() throws IOException {
        assertThat(entries()).filteredOn(name -> name.endsWith(".class"))
                .isNotEmpty()
                .allSatisfy(name -> assertThat(name).matches("(" + LAUNCHER + "|" + BRIDGE + ")[^/]+\\.class"))
                .contains(LAUNCHER + "AgentLauncher.class", BRIDGE + "Hooks.class", BRIDGE + "SmtpGuard.class");
    }

    @Test
    void everythingElseIsIsolatedUnderInstAsClassData() throws IOException {
        List<String> isolated = entries().stream().filter(name -> name.startsWith(ISOLATED) && !name.endsWith("/")).toList();
        assertThat(isolated).noneMatch(name -> name.endsWith(".class"))
                .contains(ISOLATED + "dev/mailtls/engine/PolicyEngine.classdata",
                        ISOLATED + "dev/mailtls/agent/guard/PolicySmtpGuard.classdata",
                        ISOLATED + "dev/mailtls/agent/AgentStartup.classdata",
                        ISOLATED + "dev/mailtls/cli/Main.classdata",
                        ISOLATED + "dev/mailtls/shaded/dnsjava/Message.classdata",
                        ISOLATED + "dev/mailtls/shaded/bytebuddy/asm/Advice.classdata",
                        ISOLATED + "dev/mailtls/shaded/slf4j/LoggerFactory.classdata");
        // Every library is relocated under the project's package, so it never meets the host's copy by name.
        assertThat(isolated).filteredOn(name -> name.endsWith(".classdata"))
                .allSatisfy(name -> assertThat(name).startsWith(ISOLATED + "dev/mailtls/"));
        // Besides them, the root holds only the manifest, licences and the demo's nested jars (data, not classes).
        assertThat(entries()).filteredOn(name -> !name.endsWith("/") && !name.startsWith(ISOLATED)
                        && !name.startsWith(LAUNCHER) && !name.startsWith(BRIDGE))
                .allSatisfy(name -> assertThat(name).matches("META-INF/.+|demo/[^/]+\\.jar"));
    }

    @Test
    void systemClassLoaderFindsOnlyTheLauncherAndTheBridge() throws Exception {
        // As the application class loader sees the jar: on the class path, parent the platform class loader.
        try (URLClassLoader application = new URLClassLoader(new URL[] {AGENT_JAR.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            assertThat(Class.forName("dev.mailtls.agent.launcher.AgentLauncher", false, application).getClassLoader())
                    .isSameAs(application);
            assertThat(Class.forName("dev.mailtls.agent.bootstrap.Hooks", false, application).getClassLoader())
                    .isSameAs(application);
            for (String isolated : List.of("dev.mailtls.engine.PolicyEngine", "dev.mailtls.agent.AgentStartup",
                    "dev.mailtls.agent.guard.PolicySmtpGuard", "dev.mailtls.cli.Main",
                    "dev.mailtls.shaded.bytebuddy.asm.Advice", "dev.mailtls.shaded.dnsjava.Message",
                    "dev.mailtls.shaded.slf4j.LoggerFactory")) {
                assertThatThrownBy(() -> Class.forName(isolated, false, application)).as(isolated)
                        .isInstanceOf(ClassNotFoundException.class);
            }
        }
    }

    /**
     * The advice is inlined into mail classes whose class loaders may see nothing but {@code java.*}
     * (OSGi bundles, JBoss Modules): it names JDK types only, and reaches the bridge by its name,
     * through reflection.
     */
    @Test
    void inlinedAdviceReferencesOnlyTheJdk() throws IOException {
        List<String> adviceClasses = new ArrayList<>();
        Set<String> referenced = new TreeSet<>();
        try (JarFile jar = new JarFile(AGENT_JAR.toFile())) {
            for (JarEntry entry : Collections.list(jar.entries())) {
                if (!entry.getName().startsWith(ISOLATED + "dev/mailtls/") || !entry.getName().endsWith(".classdata")
                        || entry.getName().startsWith(ISOLATED + "dev/mailtls/shaded/")) {
                    continue;
                }
                AdviceReferences references = new AdviceReferences();
                try (InputStream in = jar.getInputStream(entry)) {
                    new ClassReader(in).accept(references, ClassReader.SKIP_DEBUG);
                }
                if (references.adviceMethods > 0) {
                    adviceClasses.add(entry.getName());
                    referenced.addAll(references.types);
                    assertThat(references.types).as("types referenced by the advice code of " + entry.getName())
                            .allSatisfy(type -> assertThat(type).startsWith("java/"));
                    // Class constants (class literals) are invalid in javax.mail 1.4's class files (version 48).
                    assertThat(references.classConstants).as("class constants in the advice code of " + entry.getName())
                            .isZero();
                }
            }
        }
        assertThat(adviceClasses).contains(
                ISOLATED + "dev/mailtls/agent/instrumentation/SmtpTransportInstrumentation$ProtocolConnectAdvice.classdata",
                ISOLATED + "dev/mailtls/agent/instrumentation/SocketFetcherInstrumentation$StartTlsAdvice.classdata",
                ISOLATED + "dev/mailtls/agent/instrumentation/SocketFetcherInstrumentation$GetSocketAdvice.classdata");
        assertThat(referenced).contains("java/lang/Class", "java/lang/reflect/Method", "java/net/Socket", "java/util/Properties");
    }

    @Test
    void commandLineToolRunsThroughTheLauncher() throws Exception {
        String version;
        try (JarFile jar = new JarFile(AGENT_JAR.toFile())) {
            version = jar.getManifest().getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
        }
        Process process = new ProcessBuilder(SenderRun.TEST_JAVA_HOME.resolve("bin").resolve("java").toString(), "-jar",
                AGENT_JAR.toString(), "--version").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        // The version comes from the isolated classes' package, which the agent's class loader defines from the manifest.
        assertThat(output.trim()).isEqualTo("MailTLS Guard " + version);
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void nothingRegistersItselfWithTheHostJvm() throws IOException {
        assertThat(entries()).noneMatch(name -> name.contains("META-INF/services/"))
                .noneMatch(name -> name.contains("META-INF/versions/"))
                .noneMatch(name -> name.contains("module-info."));
    }

    @Test
    void manifestNamesTheLauncherAsEveryEntryPoint() throws IOException {
        try (JarFile jar = new JarFile(AGENT_JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertThat(main.getValue("Main-Class")).isEqualTo("dev.mailtls.agent.launcher.AgentLauncher");
            assertThat(main.getValue("Premain-Class")).isEqualTo("dev.mailtls.agent.launcher.AgentLauncher");
            assertThat(main.getValue("Agent-Class")).isEqualTo("dev.mailtls.agent.launcher.AgentLauncher");
            assertThat(main.getValue("Can-Retransform-Classes")).isEqualTo("true");
            assertThat(main.getValue("Multi-Release")).isNull();
            assertThat(main.getValue("Boot-Class-Path")).isNull();
        }
    }

    /** The types that the code of a class's advice methods (those Byte Buddy inlines) refers to. */
    private static final class AdviceReferences extends ClassVisitor {
        final Set<String> types = new TreeSet<>();
        int adviceMethods;
        int classConstants;

        AdviceReferences() {
            super(Opcodes.ASM9);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            return new MethodVisitor(Opcodes.ASM9) {
                private boolean advice;

                @Override
                public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                    if (ADVICE_ANNOTATIONS.contains(annotation) && !advice) {
                        advice = true;
                        adviceMethods++;
                        addDescriptor(descriptor);
                    }
                    return null;
                }

                @Override
                public void visitTypeInsn(int opcode, String type) {
                    add(advice, Type.getObjectType(type));
                }

                @Override
                public void visitFieldInsn(int opcode, String owner, String field, String fieldDescriptor) {
                    add(advice, Type.getObjectType(owner));
                    add(advice, Type.getType(fieldDescriptor));
                }

                @Override
                public void visitMethodInsn(int opcode, String owner, String method, String methodDescriptor, boolean isInterface) {
                    add(advice, Type.getObjectType(owner));
                    if (advice) {
                        addDescriptor(methodDescriptor);
                    }
                }

                @Override
                public void visitInvokeDynamicInsn(String method, String methodDescriptor, Handle bootstrap, Object... arguments) {
                    add(advice, Type.getObjectType(bootstrap.getOwner()));
                    if (advice) {
                        addDescriptor(methodDescriptor);
                    }
                }

                @Override
                public void visitLdcInsn(Object value) {
                    if (value instanceof Type type) {
                        add(advice, type);
                        if (advice && type.getSort() != Type.METHOD) {
                            classConstants++;
                        }
                    }
                }

                @Override
                public void visitTryCatchBlock(net.bytebuddy.jar.asm.Label start, net.bytebuddy.jar.asm.Label end,
                        net.bytebuddy.jar.asm.Label handler, String type) {
                    if (type != null) {
                        add(advice, Type.getObjectType(type));
                    }
                }

                @Override
                public void visitMultiANewArrayInsn(String arrayDescriptor, int dimensions) {
                    add(advice, Type.getType(arrayDescriptor));
                }
            };
        }

        private void addDescriptor(String methodDescriptor) {
            add(true, Type.getReturnType(methodDescriptor));
            for (Type argument : Type.getArgumentTypes(methodDescriptor)) {
                add(true, argument);
            }
        }

        private void add(boolean inAdvice, Type type) {
            Type element = type.getSort() == Type.ARRAY ? type.getElementType() : type;
            if (inAdvice && element.getSort() == Type.OBJECT) {
                types.add(element.getInternalName());
            }
        }
    }
}
