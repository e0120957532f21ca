package io.chatapi.application.service;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/** A port implementation that delegates to another, running a hook first on calls of one method. */
final class Intercepted {
    /** Runs before the intercepted call; it may wait, or throw to fail the call. */
    interface Hook {
        void before() throws Exception;
    }

    private Intercepted() {
    }

    static <T> T of(Class<T> port, T target, String method, Hook hook) {
        return port.cast(Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, (proxy, called, args) -> {
            if (called.getName().equals(method)) {
                hook.before();
            }
            try {
                return called.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }
}
