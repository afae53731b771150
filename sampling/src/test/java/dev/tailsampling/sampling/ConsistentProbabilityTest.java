package dev.tailsampling.sampling;

import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConsistentProbabilityTest {

    @Test
    void thresholdIsTheRejectedShareOfTwoToThe56() {
        assertThat(ConsistentProbability.threshold(1.0)).isZero();
        assertThat(ConsistentProbability.threshold(0.0)).isEqualTo(1L << 56);
        assertThat(ConsistentProbability.threshold(0.5)).isEqualTo(1L << 55);
        assertThat(ConsistentProbability.threshold(0.25)).isEqualTo(3L << 54);
    }

    @Test
    void randomnessIsTheLow56BitsOfTheTraceId() {
        assertThat(ConsistentProbability.randomness("4bf92f3577b34da6a3ce929d0e0e4736"))
                .isEqualTo(0xce929d0e0e4736L);
        assertThat(ConsistentProbability.randomness(traceIdWithRandomness(0xffffffffffffffL)))
                .isEqualTo((1L << 56) - 1);
    }

    @Test
    void keepsAtOrAboveTheThreshold() {
        long half = 1L << 55;
        assertThat(ConsistentProbability.isSampled(traceIdWithRandomness(half), 0.5))
                .isTrue();
        assertThat(ConsistentProbability.isSampled(traceIdWithRandomness(half - 1), 0.5))
                .isFalse();
        assertThat(ConsistentProbability.isSampled(traceIdWithRandomness(0), 1.0))
                .isTrue();
        assertThat(ConsistentProbability.isSampled(traceIdWithRandomness((1L << 56) - 1), 0.0))
                .isFalse();
    }

    @Test
    void keptAtOneRateMeansKeptAtEveryHigherRate() {
        SplittableRandom random = new SplittableRandom(7);
        double[] rates = {0.001, 0.01, 0.1, 0.25, 0.5, 0.9, 1.0};
        for (int i = 0; i < 10_000; i++) {
            String traceId = traceIdWithRandomness(random.nextLong(1L << 56));
            boolean keptAtLowerRate = false;
            for (double rate : rates) {
                boolean kept = ConsistentProbability.isSampled(traceId, rate);
                assertThat(kept || !keptAtLowerRate)
                        .as("%s at %s", traceId, rate)
                        .isTrue();
                keptAtLowerRate = kept;
            }
        }
    }

    @Test
    void keptFractionMatchesTheRate() {
        SplittableRandom random = new SplittableRandom(11);
        int n = 200_000;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (ConsistentProbability.isSampled(traceIdWithRandomness(random.nextLong(1L << 56)), 0.1)) {
                kept++;
            }
        }
        // Binomial standard deviation at n=200k, p=0.1 is about 134 traces; allow 5 of them.
        assertThat(kept).isBetween(20_000 - 670, 20_000 + 670);
    }

    @Test
    void rejectsProbabilitiesOutsideZeroToOne() {
        assertThatThrownBy(() -> ConsistentProbability.threshold(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> ConsistentProbability.threshold(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsTheHeadProbabilityFromTheTracestateThreshold() {
        assertThat(ConsistentProbability.head("").probability()).isEqualTo(1.0);
        assertThat(ConsistentProbability.head("vendor=abc").probability()).isEqualTo(1.0);
        assertThat(ConsistentProbability.head("ot=th:0").probability()).isEqualTo(1.0);
        assertThat(ConsistentProbability.head("ot=th:8").probability()).isEqualTo(0.5);
        assertThat(ConsistentProbability.head("vendor=abc, ot=rv:1a2b3c4d5e6f70;th:c")
                        .probability())
                .isEqualTo(0.25);
        assertThat(ConsistentProbability.head("ot=th:e666666666666").probability())
                .isCloseTo(0.1, within(1e-12));
        assertThat(ConsistentProbability.head("ot=th:zz").probability())
                .as("unreadable: as if unsampled")
                .isEqualTo(1.0);
        assertThat(ConsistentProbability.head("ot=rv:1a2b3c4d5e6f70;th:c").explicitRandomness())
                .isTrue();
        assertThat(ConsistentProbability.head("ot=th:c").explicitRandomness()).isFalse();
    }
}
