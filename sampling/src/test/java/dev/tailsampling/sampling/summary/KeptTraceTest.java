package dev.tailsampling.sampling.summary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.DecisionTrigger;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.SpanLink;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeptTraceTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long MS = 1_000_000L;

    /** A span of trace 1 from {@code fromMs} to {@code toMs} after T0. */
    private static Span span(String id, String parent, String service, String operation, long fromMs, long toMs) {
        Span span = new Span();
        span.traceId = "0af7651916cd43dd8448eb211c80319c";
        span.spanId = id;
        span.parentSpanId = parent;
        span.serviceName = service;
        span.operationName = operation;
        span.startTimeUnixNano = T0 + fromMs * MS;
        span.endTimeUnixNano = T0 + toMs * MS;
        span.durationNs = span.endTimeUnixNano - span.startTimeUnixNano;
        span.markKept("errors", 0.5, DecisionTrigger.INACTIVITY, false);
        return span;
    }

    private static List<String> ids(List<PathStep> path) {
        List<String> ids = new ArrayList<>();
        path.forEach(step -> ids.add(step.spanId));
        return ids;
    }

    private static long selfTimes(List<PathStep> path) {
        return path.stream().mapToLong(step -> step.selfTimeNs).sum();
    }

    @Test
    void sequentialChildrenAreAllOnThePathWithTheGapsAsTheParentsSelfTime() {
        List<Span> spans = List.of(
                span("a", "", "frontend", "GET /checkout", 0, 100),
                span("b", "a", "cart", "get cart", 10, 30),
                span("c", "a", "payment", "charge", 40, 90),
                span("d", "c", "bank", "authorize", 50, 80));
        List<PathStep> path = CriticalPath.of(spans);

        assertThat(ids(path)).containsExactly("a", "b", "c", "d");
        assertThat(path.get(0).selfTimeNs).isEqualTo(30 * MS); // 0-10, 30-40, 90-100
        assertThat(path.get(1).selfTimeNs).isEqualTo(20 * MS);
        assertThat(path.get(2).selfTimeNs).isEqualTo(20 * MS); // 40-50, 80-90
        assertThat(path.get(3).selfTimeNs).isEqualTo(30 * MS);
        assertThat(path.get(3).startOffsetNs).isEqualTo(50 * MS);
        assertThat(selfTimes(path)).isEqualTo(100 * MS);
    }

    @Test
    void overlappingChildrenShareThePathFromTheOneThatEndsLast() {
        // b and c run in parallel; c ends last, so b is on the path only until c starts.
        // e ends inside a's window but starts after c: it runs beside c and is not on the path.
        List<Span> spans = List.of(
                span("a", "", "frontend", "GET /", 0, 100),
                span("b", "a", "search", "query", 0, 80),
                span("c", "a", "ads", "pick", 50, 100),
                span("e", "a", "audit", "log", 60, 70));
        List<PathStep> path = CriticalPath.of(spans);

        assertThat(ids(path)).containsExactly("a", "b", "c");
        assertThat(path.get(0).selfTimeNs).isZero();
        assertThat(path.get(1).selfTimeNs).isEqualTo(50 * MS);
        assertThat(path.get(2).selfTimeNs).isEqualTo(50 * MS);
        assertThat(selfTimes(path)).isEqualTo(100 * MS);
    }

    @Test
    void childrenOutsideTheirParentAreClampedToIt() {
        // Clock skew: the child seems to start before and end after its parent.
        List<Span> spans = List.of(span("a", "", "frontend", "GET /", 10, 50), span("b", "a", "db", "select", 0, 60));
        List<PathStep> path = CriticalPath.of(spans);

        assertThat(ids(path)).containsExactly("a", "b");
        assertThat(path.get(1).selfTimeNs).isEqualTo(40 * MS);
        assertThat(selfTimes(path)).isEqualTo(40 * MS);
    }

    @Test
    void withoutItsRootTheTraceIsNamedByItsEarliestSpanAndThePathRunsThroughTheOrphans() {
        // The root "r" never arrived; "x" and "y" are its children, "z" is a child of "y".
        List<Span> spans = List.of(
                span("y", "r", "inventory", "reserve", 30, 90),
                span("z", "y", "db", "update", 40, 70),
                span("x", "r", "cart", "load", 10, 40));
        KeptTrace trace = KeptTrace.of(spans);

        assertThat(trace.rootServiceName).isEqualTo("cart");
        assertThat(trace.rootOperationName).isEqualTo("load");
        assertThat(trace.durationNs).isEqualTo(80 * MS);
        assertThat(trace.startTimeUnixNano).isEqualTo(T0 + 10 * MS);
        assertThat(ids(trace.criticalPath)).containsExactly("x", "y", "z");
        assertThat(trace.criticalPath.get(0).selfTimeNs).isEqualTo(20 * MS); // x until y starts
        assertThat(trace.criticalPath.get(1).selfTimeNs).isEqualTo(30 * MS);
        assertThat(selfTimes(trace.criticalPath)).isEqualTo(trace.durationNs);
    }

    @Test
    void aParentCycleEndsTheWalkInsteadOfLoopingForever() {
        List<Span> spans = List.of(span("p", "q", "a", "one", 0, 10), span("q", "p", "b", "two", 0, 10));
        assertThat(CriticalPath.of(spans)).isEmpty();
    }

    @Test
    void summaryCountsServicesErrorsAndCarriesTheDecision() {
        Span root = span("a", "", "frontend", "GET /checkout", 0, 100);
        Span failed = span("b", "a", "payment", "charge", 10, 60);
        failed.error = true;
        failed.statusMessage = "card declined";
        failed.httpStatusCode = 502;
        Span ok = span("c", "a", "cart", "get", 60, 70);
        KeptTrace trace = KeptTrace.of(List.of(failed, ok, root));

        assertThat(trace.rootServiceName).isEqualTo("frontend");
        assertThat(trace.rootOperationName).isEqualTo("GET /checkout");
        assertThat(trace.services).containsExactly("cart", "frontend", "payment");
        assertThat(trace.spanCount).isEqualTo(3);
        assertThat(trace.errorCount).isEqualTo(1);
        assertThat(trace.errorSpans.get(0).spanId).isEqualTo("b");
        assertThat(trace.errorSpans.get(0).statusMessage).isEqualTo("card declined");
        assertThat(trace.errorSpans.get(0).httpStatusCode).isEqualTo(502);
        assertThat(trace.samplingPolicy).isEqualTo("errors");
        assertThat(trace.sampleProbability).isEqualTo(0.5);
        assertThat(trace.adjustedCount).isEqualTo(2.0);
        assertThat(trace.samplingTrigger).isEqualTo("inactivity");
        assertThat(trace.traceIncomplete).isFalse();
    }

    @Test
    void listsTheFollowsFromLinksAndLeavesChildOfLinksOut() {
        Span consumer = span("b", "a", "billing", "process invoice", 1, 5);
        consumer.links.add(link("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "follows_from"));
        consumer.links.add(link("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b175", "child_of"));
        KeptTrace trace = KeptTrace.of(List.of(span("a", "", "billing", "poll", 0, 10), consumer));

        assertThat(trace.followsFrom).singleElement().satisfies(f -> {
            assertThat(f.spanId).isEqualTo("b");
            assertThat(f.linkedTraceId).isEqualTo("5b8efff798038103d269b633813fc60c");
            assertThat(f.linkedSpanId).isEqualTo("eee19b7ec3c1b174");
        });
    }

    private static SpanLink link(String traceId, String spanId, String relationship) {
        SpanLink link = new SpanLink();
        link.traceId = traceId;
        link.spanId = spanId;
        link.relationship = relationship;
        return link;
    }

    @Test
    void locationsNameEachHourAndServiceOnce() {
        Span a = span("a", "", "frontend", "GET /", 0, 10);
        Span b = span("b", "a", "frontend", "render", 1, 2);
        Span c = span("c", "a", "cart", "load", 3, 4);
        Span d = span("d", "a", "cart", "load", 3, 4);
        d.startTimeUnixNano += 3_600_000_000_000L;
        List<TraceLocation> locations = TraceLocation.of(List.of(a, b, c, d));

        assertThat(locations).hasSize(3);
        assertThat(locations.get(0).serviceName).isEqualTo("frontend");
        assertThat(locations.get(0).spanCount).isEqualTo(2);
        assertThat(locations.get(0).hourMillis % 3_600_000L).isZero();
        assertThat(locations.get(0).hourMillis).isLessThanOrEqualTo(T0 / MS).isGreaterThan(T0 / MS - 3_600_000L);
        assertThat(locations.get(2).hourMillis - locations.get(1).hourMillis).isEqualTo(3_600_000L);
    }

    /** A parent chain {@code depth} spans deep, each span inside its parent by 1 ms at both ends. */
    private static List<Span> chain(int depth) {
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            spans.add(span("s" + i, i == 0 ? "" : "s" + (i - 1), "svc", "op" + i, i, 2L * depth - i));
        }
        return spans;
    }

    @Test
    void followsAParentChainThousandsDeepWithoutRecursing() throws Exception {
        List<Span> spans = chain(CriticalPath.MAX_DEPTH);
        KeptTrace[] summarized = new KeptTrace[1];

        // A small stack, where a walk that recursed once per level would overflow.
        Thread walk = new Thread(null, () -> summarized[0] = KeptTrace.of(spans), "walk", 128 * 1024);
        walk.start();
        walk.join();

        KeptTrace trace = summarized[0];
        assertThat(trace).as("summarized without a stack overflow").isNotNull();
        assertThat(trace.criticalPath).hasSize(CriticalPath.MAX_DEPTH);
        assertThat(selfTimes(trace.criticalPath)).isEqualTo(trace.durationNs);
        assertThat(trace.summaryNote).isNull();
    }

    @Test
    void cutsAChainBelowTheDepthCapAndSaysSo() {
        List<Span> spans = chain(5_000);

        KeptTrace trace = KeptTrace.of(spans);

        assertThat(trace.criticalPath).hasSize(CriticalPath.MAX_DEPTH);
        assertThat(selfTimes(trace.criticalPath))
                .as("the deepest step holds what lies below")
                .isEqualTo(trace.durationNs);
        assertThat(trace.summaryNote).isEqualTo("critical path cut at depth " + CriticalPath.MAX_DEPTH);
        assertThat(trace.spanCount).isEqualTo(5_000);
    }
}
