package dev.mailtls.agent;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.TypeResolutionStrategy;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

/**
 * Weaves advice into one class file with Byte Buddy, the way its {@code AgentBuilder} does with
 * {@code disableClassFormatChanges()} and the decorating type strategy, without the rest of that
 * machinery: the class keeps its members and their signatures (inlined advice adds none), so it can
 * also be retransformed after it was loaded. Only {@link MailClassTransformer} uses this class
 * (and its warm-up), so Byte Buddy is loaded only by them.
 */
final class AdviceWeaver {
    /**
     * No auxiliary types, no added fields or methods; and no validation of the class as a whole,
     * which was valid as loaded and keeps its members.
     */
    private static final ByteBuddy BYTE_BUDDY = new ByteBuddy()
            .with(Implementation.Context.Disabled.Factory.INSTANCE)
            .with(TypeValidation.DISABLED);

    private AdviceWeaver() {
    }

    /**
     * The class file {@code classFile} of {@code typeName} with {@code visitor} applied.
     *
     * @param loader the class's loader, where the types it refers to (its superclass, the fields
     *     the advice reads) are found; {@code null} for the bootstrap class loader
     */
    static byte[] weave(ClassLoader loader, String typeName, byte[] classFile, AsmVisitorWrapper visitor) {
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(typeName, classFile),
                ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = new TypePool.Default.WithLazyResolution(TypePool.CacheProvider.Simple.withObjectType(), locator,
                TypePool.Default.ReaderMode.FAST);
        TypeDescription type = pool.describe(typeName).resolve();
        return BYTE_BUDDY.decorate(type, locator).visit(visitor).make(TypeResolutionStrategy.Disabled.INSTANCE, pool)
                .getBytes();
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
