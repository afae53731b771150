package dev.tailsampling.sampling.paths;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Span;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PathSignatureTest {

    /** frontend checkout -> cart get, -> payment charge x{@code charges}. */
    static List<Span> shop(int charges) {
        List<Span> spans = new ArrayList<>();
        spans.add(span("1", "", "frontend", "GET /checkout"));
        spans.add(span("2", "1", "cart", "get"));
        for (int i = 0; i < charges; i++) {
            spans.add(span("c" + i, "1", "payment", "charge"));
        }
        return spans;
    }

    static Span span(String id, String parent, String service, String operation) {
        Span span = new Span();
        span.traceId = "0af7651916cd43dd8448eb211c80319c";
        span.spanId = id;
        span.parentSpanId = parent;
        span.serviceName = service;
        span.operationName = operation;
        return span;
    }

    @Test
    void isTheSameInAnyOrderOfTheSpans() {
        List<Span> spans = shop(3);
        long expected = PathSignature.of(spans).hash();
        Random random = new Random(1);
        for (int i = 0; i < 20; i++) {
            List<Span> shuffled = new ArrayList<>(spans);
            Collections.shuffle(shuffled, random);
            assertThat(PathSignature.of(shuffled).hash()).isEqualTo(expected);
        }
    }

    @Test
    void countsASpanDeliveredTwiceOnce() {
        List<Span> spans = shop(1);
        List<Span> twice = new ArrayList<>(spans);
        twice.add(span("c0", "1", "payment", "charge"));
        twice.add(span("1", "", "frontend", "GET /checkout"));

        assertThat(PathSignature.of(twice).hash())
                .isEqualTo(PathSignature.of(spans).hash());
    }

    @Test
    void foldsTheWidthOfAFanOutIntoBuckets() {
        long[] hashes = new long[13];
        for (int calls = 1; calls <= 12; calls++) {
            hashes[calls] = PathSignature.of(shop(calls)).hash();
        }

        assertThat(hashes[2]).isEqualTo(hashes[3]).isNotEqualTo(hashes[1]);
        assertThat(hashes[4]).isEqualTo(hashes[5]).isEqualTo(hashes[6]).isEqualTo(hashes[7]);
        assertThat(hashes[4]).isNotEqualTo(hashes[3]).isNotEqualTo(hashes[8]);
        assertThat(hashes[8]).isEqualTo(hashes[12]);
        assertThat(PathSignature.of(shop(5)).toString())
                .isEqualTo("(entry)  -> frontend GET /checkout; frontend GET /checkout -> cart get;"
                        + " frontend GET /checkout -> payment charge x4-7");
    }

    @Test
    void tellsAnotherCalleeOrCallerApartAndNamesAMissingParent() {
        long usual = PathSignature.of(shop(1)).hash();
        List<Span> fallback = shop(1);
        fallback.add(span("f", "c0", "payment-fallback", "charge"));
        List<Span> otherCaller = shop(0);
        otherCaller.add(span("c0", "2", "payment", "charge"));
        List<Span> orphan = shop(1);
        orphan.set(2, span("c0", "lost", "payment", "charge"));

        assertThat(PathSignature.of(fallback).hash()).isNotEqualTo(usual);
        assertThat(PathSignature.of(otherCaller).hash()).isNotEqualTo(usual);
        assertThat(PathSignature.of(orphan).hash()).isNotEqualTo(usual);
        assertThat(PathSignature.of(orphan).toString()).contains("(missing parent)  -> payment charge");
        List<Span> orphanReordered = new ArrayList<>(orphan);
        Collections.reverse(orphanReordered);
        assertThat(PathSignature.of(orphanReordered).hash())
                .isEqualTo(PathSignature.of(orphan).hash());
    }

    @Test
    void aDeepTraceNeedsNoRecursion() {
        List<Span> chain = new ArrayList<>();
        chain.add(span("0", "", "a", "op"));
        for (int i = 1; i < 100_000; i++) {
            chain.add(span(Integer.toString(i), Integer.toString(i - 1), "a", "op"));
        }

        PathSignature path = PathSignature.of(chain);

        assertThat(path.edges()).hasSize(2);
        assertThat(path.edges()).anySatisfy(edge -> assertThat(edge.calls()).isEqualTo(99_999));
    }
}
