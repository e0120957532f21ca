package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class FlywayLogFilterTest {
    @Test
    void aTransactionFailureWithItsStackTraceBecomesOneFineLineAndOtherRecordsPass() {
        FlywayLogFilter.install();
        FlywayLogFilter.install(); // once only: a second install does not wrap the first
        try (LogRecords template = LogRecords.on(FlywayLogFilter.TEMPLATE.getName());
             LogRecords ours = LogRecords.on(FlywayLogFilter.class.getName())) {
            FlywayLogFilter.TEMPLATE.log(Level.SEVERE, "Unable to rollback transaction",
                    new SQLException("[SQLITE_FULL] database or disk is full"));
            FlywayLogFilter.TEMPLATE.log(Level.SEVERE, "Unable to commit transaction");

            assertThat(template.at(Level.SEVERE)).singleElement()
                    .satisfies(r -> assertThat(r.getMessage()).isEqualTo("Unable to commit transaction"));
            assertThat(ours.at(Level.FINE)).singleElement().satisfies(r -> {
                assertThat(r.getMessage()).isEqualTo("migration: Unable to rollback transaction");
                assertThat(r.getThrown()).hasMessageContaining("SQLITE_FULL");
            });
        }
    }
}
