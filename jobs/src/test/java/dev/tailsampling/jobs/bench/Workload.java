package dev.tailsampling.jobs.bench;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.SplittableRandom;

/**
 * The workload of the performance model: OTLP requests of 10 spans a trace and, by default, 10
 * traces a request, six attributes a span; 1 % of traces fail, 1 % are slow. One trace a request is
 * what a collector writes when it partitions by trace id.
 */
final class Workload {
    static final int SPANS_PER_TRACE = 10;
    private static final String[] SERVICES = {"frontend", "checkout", "payment", "inventory", "search"};
    private static final String[] ROUTES = {"/cart", "/checkout", "/search", "/product/{id}", "/orders"};

    private final SplittableRandom random;
    private final int tracesPerRequest;
    private final long startNanos = System.currentTimeMillis() * 1_000_000L;

    Workload(long seed, int tracesPerRequest) {
        this.random = new SplittableRandom(seed);
        this.tracesPerRequest = tracesPerRequest;
    }

    byte[] nextRequest() {
        ResourceSpans.Builder resourceSpans = ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder()
                        .addAttributes(kv("service.name", SERVICES[random.nextInt(SERVICES.length)]))
                        .addAttributes(kv("service.version", "2.3.1"))
                        .addAttributes(kv("deployment.environment.name", "production"))
                        .addAttributes(kv("host.name", "node-" + random.nextInt(100))));
        ScopeSpans.Builder scope = ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.shop").setVersion("1.0"));
        for (int t = 0; t < tracesPerRequest; t++) {
            byte[] traceId = new byte[16];
            for (int i = 0; i < 16; i++) {
                traceId[i] = (byte) random.nextInt(256);
            }
            boolean failed = random.nextInt(100) == 0;
            boolean slow = random.nextInt(100) == 0;
            long start = startNanos + random.nextLong(60_000_000_000L);
            byte[] parent = new byte[0];
            for (int s = 0; s < SPANS_PER_TRACE; s++) {
                byte[] spanId = new byte[8];
                for (int i = 0; i < 8; i++) {
                    spanId[i] = (byte) (random.nextInt(255) + 1);
                }
                long duration = (slow && s == 0 ? 2_000 : 5 + random.nextInt(200)) * 1_000_000L;
                String route = ROUTES[random.nextInt(ROUTES.length)];
                Span.Builder span = Span.newBuilder()
                        .setTraceId(ByteString.copyFrom(traceId))
                        .setSpanId(ByteString.copyFrom(spanId))
                        .setParentSpanId(ByteString.copyFrom(parent))
                        .setName("GET " + route)
                        .setKind(s == 0 ? Span.SpanKind.SPAN_KIND_SERVER : Span.SpanKind.SPAN_KIND_CLIENT)
                        .setStartTimeUnixNano(start + s * 1_000_000L)
                        .setEndTimeUnixNano(start + s * 1_000_000L + duration)
                        .addAttributes(kv("http.request.method", "GET"))
                        .addAttributes(kv("http.route", route))
                        .addAttributes(kv("url.path", route.replace("{id}", Integer.toString(random.nextInt(10_000)))))
                        .addAttributes(
                                kvInt("http.response.status_code", failed && s == SPANS_PER_TRACE - 1 ? 503 : 200))
                        .addAttributes(kv("user.id", "u" + random.nextInt(1_000_000)))
                        .addAttributes(kv("net.peer.name", "10.0." + random.nextInt(255) + "." + random.nextInt(255)));
                if (failed && s == SPANS_PER_TRACE - 1) {
                    span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
                }
                scope.addSpans(span);
                parent = spanId;
            }
        }
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(resourceSpans.addScopeSpans(scope))
                .build()
                .toByteArray();
    }

    private static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    private static KeyValue kvInt(String key, long value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setIntValue(value))
                .build();
    }
}
