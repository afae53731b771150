package dev.tailsampling.operators.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.rates.ServiceStats;
import org.junit.jupiter.api.Test;

class StatsBatchTest {

    private static ServiceStats trace(String service) {
        ServiceStats stats = ServiceStats.empty(service);
        stats.tracesSeen = 1;
        return stats;
    }

    @Test
    void sendsAtOnceThenAtMostOnceASecondOneRecordPerService() {
        StatsBatch batch = new StatsBatch();
        assertThat(batch.dueMillis()).as("nothing waits").isEqualTo(-1);
        batch.add(trace("shop"));
        assertThat(batch.takeDue(5_000)).singleElement().satisfies(s -> assertThat(s.tracesSeen)
                .isEqualTo(1));

        batch.add(trace("shop"));
        batch.add(trace("shop"));
        batch.add(trace("cart"));
        assertThat(batch.takeDue(5_500)).isEmpty();
        assertThat(batch.dueMillis()).isEqualTo(6_000);
        assertThat(batch.takeDue(6_000))
                .extracting(s -> s.service + " " + s.tracesSeen)
                .containsExactlyInAnyOrder("shop 2", "cart 1");
        assertThat(batch.dueMillis()).isEqualTo(-1);
    }
}
