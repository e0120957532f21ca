package io.chatapi.bench;

import java.util.Set;

/** One benchmark: runs against servers it starts itself and adds its measurements to the report. */
interface Scenario {
    String name();

    /** The options it accepts besides {@link BenchContext#COMMON_OPTIONS}. */
    Set<String> options();

    void run(BenchContext context) throws Exception;
}
