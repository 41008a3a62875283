package dev.mailtls.agent;

import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.ClassWriterStrategy;
import net.bytebuddy.dynamic.scaffold.TypeInitializer;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Weaves advice into one class file with Byte Buddy's {@code Advice}, as its {@code AgentBuilder}
 * does with {@code disableClassFormatChanges()} and the decorating type strategy, but without the
 * type-building machinery around it ({@code ByteBuddy}, the dynamic type builder, the method
 * graph of the whole class hierarchy, the type writer): Byte Buddy's class reader hands the class
 * file to the advice, which writes it on through Byte Buddy's class writer. The class keeps its
 * members and their signatures (inlined advice adds none), so it can also be retransformed after it
 * was loaded. Only {@link MailClassWeaving} uses this class at run time, for a class file that the
 * agent jar has not woven already ({@link PrewovenClasses}), so Byte Buddy is loaded only then.
 */
final class AdviceWeaver {
    private AdviceWeaver() {
    }

    /**
     * The class file {@code classFile} of {@code typeName} with {@code visitor} applied.
     *
     * @param loader the class's loader, where the types it refers to (its superclass, the fields
     *     the advice reads) are found; {@code null} for the bootstrap class loader
     */
    static byte[] weave(ClassLoader loader, String typeName, byte[] classFile, AsmVisitorWrapper visitor) {
        return weave(ClassFileLocator.ForClassLoader.of(loader), typeName, classFile, visitor);
    }

    /**
     * The same, with the types the class refers to found by {@code classPath}: the build's
     * {@code PrewovenClassesBuild} passes one that records which class files the weaving read, so
     * that a pre-woven class is used only where the same ones are found ({@link PrewovenClasses}).
     */
    static byte[] weave(ClassFileLocator classPath, String typeName, byte[] classFile, AsmVisitorWrapper visitor) {
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(typeName, classFile), classPath);
        TypePool pool = new TypePool.Default.WithLazyResolution(TypePool.CacheProvider.Simple.withObjectType(), locator,
                TypePool.Default.ReaderMode.FAST);
        TypeDescription type = pool.describe(typeName).resolve();
        ClassFileVersion version = ClassFileVersion.ofClassFile(classFile);
        // Disabled: the advice is inlined, so it needs no auxiliary type, accessor or added field.
        Implementation.Context context = Implementation.Context.Disabled.Factory.INSTANCE.make(type, null,
                TypeInitializer.None.INSTANCE, version, version);
        int writerFlags = visitor.mergeWriter(AsmVisitorWrapper.NO_FLAGS);
        int readerFlags = visitor.mergeReader(AsmVisitorWrapper.NO_FLAGS);
        ClassReader reader = OpenedClassReader.of(classFile);
        // Should a frame ever be computed, the writer finds the types in the pool: it loads no class.
        ClassWriter writer = new ClassWriterStrategy.FrameComputingClassWriter(reader, writerFlags, pool);
        // Only the methods the class declares: advice applies to what is in this class file, and
        // nothing of the superclasses' methods is needed to match or to inline it.
        reader.accept(visitor.wrap(type, writer, context, pool, type.getDeclaredFields(), type.getDeclaredMethods(),
                writerFlags, readerFlags), readerFlags);
        return writer.toByteArray();
    }

    /**
     * Weaves {@code visitor} into this class's own class file, which none of the agent's advice
     * applies to: loads and runs the weaving once, for nothing but the head start.
     */
    static void warmUp(AsmVisitorWrapper visitor) {
        weave(AdviceWeaver.class.getClassLoader(), AdviceWeaver.class.getName(),
                ClassFileLocator.ForClassLoader.read(AdviceWeaver.class), visitor);
    }
}
