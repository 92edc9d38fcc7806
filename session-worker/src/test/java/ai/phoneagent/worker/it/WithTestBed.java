package ai.phoneagent.worker.it;

import ai.phoneagent.testing.AwsBackend;
import ai.phoneagent.testing.EmbeddedAws;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh {@link TestBed} for every test, in the test class's {@code TestBed} field: set before the class's own
 * {@code @BeforeEach} methods run (they may build on it) and closed after its {@code @AfterEach} methods. The bed
 * runs on the shared embedded AWS engines unless the test class is {@link Backed}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(WithTestBed.Extension.class)
@interface WithTestBed {
    /** A test class that chooses the AWS backend its beds run on. */
    interface Backed {
        AwsBackend backend();
    }

    /** Fills and empties the field; see {@link WithTestBed}. */
    final class Extension implements BeforeEachCallback, AfterEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) throws IllegalAccessException {
            Object test = context.getRequiredTestInstance();
            AwsBackend backend = test instanceof Backed backed ? backed.backend() : EmbeddedAws.shared();
            bedField(test.getClass()).set(test, new TestBed(backend));
        }

        @Override
        public void afterEach(ExtensionContext context) throws IllegalAccessException {
            Object test = context.getRequiredTestInstance();
            Field field = bedField(test.getClass());
            if (field.get(test) instanceof TestBed bed) {
                field.set(test, null);
                bed.close();
            }
        }

        private static Field bedField(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (field.getType() == TestBed.class && !Modifier.isStatic(field.getModifiers())) {
                        field.setAccessible(true);
                        return field;
                    }
                }
            }
            throw new IllegalStateException(type.getName() + " is @WithTestBed but has no TestBed field");
        }
    }
}
