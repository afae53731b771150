package dev.tailsampling.sampling.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.datadoghq.sketch.ddsketch.DDSketch;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OperationMinuteTest {
    private static final long MINUTE = 60_000_000_000L;
    private static final long T0 = 28_333_333L * MINUTE;

    @Test
    void aRecordBecomesOneSamplePerServiceOperationKindAndMinute() {
        OperationSample.Collector collector = new OperationSample.Collector();
        collector.add("cart", "get", "SERVER", T0 + 5, 100, false, 1.0);
        collector.add("cart", "get", "SERVER", T0 + 7, 300, true, 1.0);
        collector.add("cart", "get", "CLIENT", T0 + 7, 50, false, 1.0);
        collector.add("cart", "get", "SERVER", T0 + MINUTE, 70, false, 1.0);
        List<OperationSample> samples = collector.drain();

        assertThat(samples).hasSize(3);
        OperationSample first = samples.stream()
                .filter(s -> s.spanKind.equals("SERVER") && s.count == 2)
                .findFirst()
                .orElseThrow();
        assertThat(first.minuteMillis).isEqualTo(T0 / 1_000_000L);
        assertThat(first.errors).isEqualTo(1);
        assertThat(first.durationsNs).containsExactlyInAnyOrder(100L, 300L);
        assertThat(collector.drain()).isEmpty();
    }

    @Test
    void spansBehindAHeadSamplerCountForTheRequestsTheyStandFor() {
        // 100 fast spans sent at 10 % stand for 1,000 requests; 900 slow ones were always sent.
        OperationSample.Collector collector = new OperationSample.Collector();
        for (int i = 0; i < 100; i++) {
            collector.add("api", "GET /", "SERVER", T0, 10_000_000L, i < 10, 0.1);
        }
        for (int i = 0; i < 900; i++) {
            collector.add("api", "GET /", "SERVER", T0, 1_000_000_000L, false, 1.0);
        }
        List<OperationSample> samples = collector.drain();
        assertThat(samples).hasSize(2);
        OperationMinute minute = OperationMinute.startedBy(samples.get(0));
        samples.forEach(minute::add);

        assertThat(minute.requestCount).isEqualTo(1_000);
        assertThat(minute.errorCount).isEqualTo(10);
        assertThat(minute.estimatedRequests).isCloseTo(1_900.0, within(1e-6));
        assertThat(minute.estimatedErrors).isCloseTo(100.0, within(1e-6));
        // Weighted, the median request is a fast one; counted as sent, it would be a slow one.
        assertThat(minute.quantileNs(0.5)).isCloseTo(10e6, within(10e6 * 0.011));
        assertThat(OperationMinute.readProtobuf(minute.protobufSketch()).getCount())
                .isCloseTo(1_900.0, within(1e-6));
    }

    @Test
    void quantilesAreWithinTheSketchAccuracyAndSketchesMergeAcrossMinutes() {
        Random random = new Random(7);
        OperationSample.Collector collector = new OperationSample.Collector();
        long[] all = new long[20_000];
        for (int i = 0; i < all.length; i++) {
            all[i] = 1_000_000L + (long) (random.nextDouble() * 99_000_000L);
            collector.add("api", "GET /", "SERVER", T0 + (i % 2) * MINUTE, all[i], i % 10 == 0, 1.0);
        }
        List<OperationSample> samples = collector.drain();
        OperationMinute first = OperationMinute.startedBy(samples.get(0));
        first.add(samples.get(0));
        OperationMinute second = OperationMinute.startedBy(samples.get(1));
        second.add(samples.get(1));

        assertThat(first.requestCount + second.requestCount).isEqualTo(20_000);
        assertThat(first.errorCount + second.errorCount).isEqualTo(2_000);
        assertThat(first.estimatedRequests + second.estimatedRequests)
                .as("no head sampler")
                .isEqualTo(20_000.0);
        // Uniform on [1 ms, 100 ms): the median is about 50.5 ms.
        assertThat(first.quantileNs(0.5)).isCloseTo(50.5e6, within(50.5e6 * 0.03));

        // As analysts would: from the protobuf encoding the table stores.
        DDSketch merged = OperationMinute.readProtobuf(first.protobufSketch());
        merged.mergeWith(OperationMinute.readProtobuf(second.protobufSketch()));
        java.util.Arrays.sort(all);
        double trueP99 = all[(int) Math.ceil(0.99 * all.length) - 1];
        assertThat(merged.getCount()).isEqualTo(20_000.0);
        assertThat(merged.getValueAtQuantile(0.99)).isCloseTo(trueP99, within(trueP99 * 0.011));
        assertThat(Math.max(first.maxNs, second.maxNs)).isEqualTo(all[all.length - 1]);
    }
}
