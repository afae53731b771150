package dev.tailsampling.sampling.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TestTraces;
import dev.tailsampling.sampling.TraceView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnusualPathPolicyTest {
    private static final long SECOND = 1_000_000_000L;

    /** The shop's usual paths, by share: one charge, a retried charge, no cart call, a cart and two charges. */
    private static List<Span> usual(Random random, long startNanos) {
        double draw = random.nextDouble();
        int charges = draw < 0.6 ? 1 : draw < 0.9 ? 2 : 1;
        boolean cart = draw < 0.98;
        return shop(startNanos, cart, charges, null, null);
    }

    private static List<Span> shop(long startNanos, boolean cart, int charges, String fallback, String extra) {
        List<Span> spans = new ArrayList<>();
        spans.add(span(startNanos, "1", "", "frontend", "GET /checkout"));
        if (cart) {
            spans.add(span(startNanos, "2", "1", "cart", "get"));
        }
        for (int i = 0; i < charges; i++) {
            spans.add(span(startNanos, "c" + i, "1", "payment", "charge"));
        }
        if (fallback != null) {
            spans.add(span(startNanos, "f", "c0", fallback, "charge"));
        }
        if (extra != null) {
            spans.add(span(startNanos, "x", "1", extra, "list"));
        }
        return spans;
    }

    private static Span span(long startNanos, String id, String parent, String service, String operation) {
        Span span = TestTraces.span(service, operation, 5);
        span.spanId = id;
        span.parentSpanId = parent;
        span.startTimeUnixNano = startNanos;
        span.endTimeUnixNano = startNanos + 5_000_000L;
        return span;
    }

    private static Decision judge(UnusualPathPolicy policy, List<Span> spans) {
        TraceView trace = TestTraces.of(TestTraces.traceIdWithRandomness(1L << 55), spans);
        return policy.evaluate(trace);
    }

    private static UnusualPathPolicy policy() {
        return new UnusualPathPolicy("unusual", 0.001, 1000, Duration.ofHours(1), 2000);
    }

    @Test
    void keepsExactlyTheRareShapesAmongTenThousandTracesAfterWarmUp() {
        UnusualPathPolicy policy = policy();
        Random random = new Random(11);
        Map<Integer, String> rare = new HashMap<>();
        // Two of each, late enough that two earlier ones are still under 0.1 % of the traces.
        while (rare.size() < 6) {
            int at = 3000 + random.nextInt(7000);
            rare.putIfAbsent(
                    at, List.of("fallback", "extra call", "wider fan-out").get(rare.size() % 3));
        }
        int rareBeforeWarmUp = 500;
        Set<Integer> kept = new HashSet<>();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            long start = i * SECOND / 10;
            List<Span> spans;
            String shape = i == rareBeforeWarmUp ? "fallback" : rare.get(i);
            if (shape == null) {
                spans = usual(random, start);
            } else {
                spans = switch (shape) {
                    case "fallback" -> shop(start, true, 1, "payment-fallback", null);
                    case "extra call" -> shop(start, true, 1, null, "recommendations");
                    default -> shop(start, true, 9, null, null);
                };
            }
            Decision decision = judge(policy, spans);
            if (decision.keeps()) {
                kept.add(i);
                reasons.add(decision.reason());
            }
        }

        assertThat(kept).as("every rare trace after warm-up, nothing else").isEqualTo(rare.keySet());
        assertThat(reasons)
                .anySatisfy(reason -> assertThat(reason)
                        .startsWith("path in 0.0")
                        .contains("of frontend GET /checkout traces")
                        .contains("payment charge -> payment-fallback charge"))
                .anySatisfy(reason -> assertThat(reason).contains("payment charge x8+"));
    }

    @Test
    void aPathCommonLongAgoIsRareOnceTheWindowHasMovedOn() {
        UnusualPathPolicy policy = policy();
        for (int i = 0; i < 2000; i++) {
            judge(policy, shop(i * SECOND, true, 2, null, null));
        }
        long later = 10 * 3600 * SECOND;
        for (int i = 0; i < 20_000; i++) {
            judge(policy, shop(later + i * SECOND / 100, true, 1, null, null));
        }

        // 2,000 traces some ten half-lives ago weigh as 2.4 now: 2.4 in 20,002 is below 0.1 %.
        assertThat(judge(policy, shop(later + 300 * SECOND, true, 2, null, null))
                        .keeps())
                .isTrue();
        assertThat(judge(policy, shop(later + 300 * SECOND, true, 1, null, null))
                        .keeps())
                .isFalse();
        UnusualPathPolicy forever = new UnusualPathPolicy("unusual", 0.001, 1000, Duration.ofDays(3650), 2000);
        for (int i = 0; i < 2000; i++) {
            judge(forever, shop(i * SECOND, true, 2, null, null));
        }
        for (int i = 0; i < 20_000; i++) {
            judge(forever, shop(later + i * SECOND / 100, true, 1, null, null));
        }
        assertThat(judge(forever, shop(later + 300 * SECOND, true, 2, null, null))
                        .keeps())
                .as("without decay the old path is 9 % of the traces")
                .isFalse();
    }

    @Test
    void whatSubtasksLearnedMergesOnRestoreAndRescale() {
        UnusualPathPolicy left = policy();
        UnusualPathPolicy right = policy();
        for (int i = 0; i < 3000; i++) {
            judge(left, shop(i * SECOND, true, 1, null, null));
            // Only the right subtask saw the retried charge: 3 % of all traces.
            judge(right, shop(i * SECOND, true, i % 15 == 0 ? 2 : 1, null, null));
        }
        Map<String, byte[]> checkpoint = new HashMap<>();
        left.snapshotState(checkpoint);
        Map<String, byte[]> other = new HashMap<>();
        right.snapshotState(other);
        assertThat(judge(left, shop(4000 * SECOND, true, 2, null, null)).keeps())
                .as("the left subtask alone never saw a retried charge")
                .isTrue();

        // Rescaled to three subtasks: each restores every subtask's entries.
        for (int subtask = 0; subtask < 3; subtask++) {
            UnusualPathPolicy restored = policy();
            checkpoint.forEach(restored::restoreState);
            other.forEach(restored::restoreState);
            restored.restoreState("learned\u001ffrontend\u001fGET /checkout", new byte[] {1});

            assertThat(judge(restored, shop(4000 * SECOND, true, 2, null, null)).keeps())
                    .isFalse();
            assertThat(judge(restored, shop(4000 * SECOND, false, 1, null, null))
                            .keeps())
                    .isTrue();
            assertThat(restored.signatures("frontend", "GET /checkout")).isEqualTo(3);
        }
    }

    @Test
    void remembersAtMostMaxSignaturesAndKeepsTheCommonOnes() {
        UnusualPathPolicy policy = new UnusualPathPolicy("unusual", 0.01, 100, Duration.ofHours(1), 100);
        for (int i = 0; i < 5000; i++) {
            List<Span> spans = i % 2 == 0
                    ? shop(i * SECOND, true, 1, null, null)
                    : shop(i * SECOND, true, 1, null, "service-" + i);
            judge(policy, spans);
            assertThat(policy.signatures("frontend", "GET /checkout")).isLessThanOrEqualTo(100);
        }

        assertThat(judge(policy, shop(5000 * SECOND, true, 1, null, null)).keeps())
                .isFalse();
        assertThat(judge(policy, shop(5000 * SECOND, true, 1, null, "service-1"))
                        .keeps())
                .as("forgotten: counts as never seen")
                .isTrue();
    }

    @Test
    void judgesNothingWhileWarmingUpOrWithoutARoot() {
        UnusualPathPolicy policy = policy();
        for (int i = 0; i < 1000; i++) {
            assertThat(judge(policy, shop(i, true, 1, i % 100 == 0 ? "payment-fallback" : null, null))
                            .keeps())
                    .isFalse();
        }
        List<Span> noRoot = shop(0, true, 1, "payment-fallback", null);
        noRoot.remove(0);
        assertThat(judge(policy, noRoot).outcome()).isEqualTo(Decision.Outcome.NOT_SAMPLED);
    }
}
