package dev.tailsampling.local;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Traffic of a small shop, traced with the real OpenTelemetry SDK: frontend calls checkout, which
 * charges through payment and reserves stock through inventory, which queries its database. A
 * configurable share of requests fails in payment, another share is slow there, and a rare few take
 * a route no other does: payment's first provider refuses and it charges through a second one. Each
 * service's SDK uses the given head sampler, as the applications would.
 */
public final class ShopLoadGenerator implements AutoCloseable {
    private static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
    private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system.name");
    private static final AttributeKey<String> DB_QUERY = AttributeKey.stringKey("db.query.text");
    private static final AttributeKey<String> USER_TIER = AttributeKey.stringKey("user.tier");
    private static final AttributeKey<Long> ORDER_TOTAL = AttributeKey.longKey("order.total");
    private static final AttributeKey<String> PEER_SERVICE = AttributeKey.stringKey("peer.service");

    private final double tracesPerSecond;
    private final TrafficSteps steps;
    private final double errorRate;
    private final double slowRate;
    private final double fallbackRate;
    private final SplittableRandom random;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaSpanExporter exporter;
    private final List<SdkTracerProvider> providers = new ArrayList<>();
    private final Tracer frontend;
    private final Tracer checkout;
    private final Tracer payment;
    private final Tracer inventory;
    private final AtomicLong tracesStarted = new AtomicLong();
    private final Thread loop;
    private volatile boolean running = true;

    public ShopLoadGenerator(
            String bootstrapServers,
            String topic,
            double tracesPerSecond,
            TrafficSteps steps,
            double errorRate,
            double slowRate,
            double fallbackRate,
            Sampler headSampler,
            long seed) {
        this.tracesPerSecond = tracesPerSecond;
        this.steps = steps;
        this.errorRate = errorRate;
        this.slowRate = slowRate;
        this.fallbackRate = fallbackRate;
        this.random = new SplittableRandom(seed);
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("linger.ms", "20");
        props.put("compression.type", "lz4");
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.exporter = new KafkaSpanExporter(producer, topic);
        this.frontend = tracer("frontend", headSampler);
        this.checkout = tracer("checkout", headSampler);
        this.payment = tracer("payment", headSampler);
        this.inventory = tracer("inventory", headSampler);
        this.loop = new Thread(this::run, "shop-load-generator");
        loop.setDaemon(true);
    }

    private Tracer tracer(String service, Sampler headSampler) {
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setSampler(headSampler)
                .setResource(Resource.getDefault()
                        .merge(Resource.create(Attributes.of(
                                AttributeKey.stringKey("service.name"),
                                service,
                                AttributeKey.stringKey("service.version"),
                                "1.4.2",
                                AttributeKey.stringKey("deployment.environment.name"),
                                "local",
                                AttributeKey.stringKey("host.name"),
                                service + "-0"))))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter)
                        .setMaxQueueSize(200_000)
                        .setMaxExportBatchSize(2_000)
                        .setScheduleDelay(Duration.ofMillis(200))
                        .build())
                .build();
        providers.add(provider);
        return provider.get("shop");
    }

    public void start() {
        loop.start();
    }

    private void run() {
        long begin = System.nanoTime();
        long last = begin;
        double due = 0;
        while (running) {
            long now = System.nanoTime();
            // The base rate times the current step's multiple, summed over the time since the last pass.
            due += (now - last) / 1e9 * tracesPerSecond * steps.multipleAt(Duration.ofNanos(now - begin));
            last = now;
            while (tracesStarted.get() < (long) due && running) {
                emitTrace();
                tracesStarted.incrementAndGet();
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One checkout request: eight spans over four services, timed explicitly. */
    private void emitTrace() {
        boolean failed = random.nextDouble() < errorRate;
        boolean slow = random.nextDouble() < slowRate;
        boolean fallback = random.nextDouble() < fallbackRate;
        long start = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        long ms = 1_000_000L;
        long db = (2 + random.nextInt(8)) * ms;
        long pay = (slow ? 1_200 + random.nextInt(1_800) : 20 + random.nextInt(60)) * ms;
        long inv = db + (3 + random.nextInt(10)) * ms;
        long total = 8 * ms + pay + inv;
        String tier = random.nextInt(10) == 0 ? "premium" : "standard";
        // One order in five hundred is of 1000 or more.
        long orderTotal = random.nextInt(500) == 0 ? 1_000 + random.nextInt(9_000) : 5 + random.nextInt(300);

        Span root = frontend.spanBuilder("GET /checkout")
                .setSpanKind(SpanKind.SERVER)
                .setNoParent()
                .setStartTimestamp(start, TimeUnit.NANOSECONDS)
                .setAttribute(HTTP_METHOD, "GET")
                .setAttribute(HTTP_ROUTE, "/checkout")
                .setAttribute(URL_PATH, "/checkout")
                .setAttribute(USER_TIER, tier)
                .setAttribute(ORDER_TOTAL, orderTotal)
                .setAttribute(HTTP_STATUS, failed ? 500L : 200L)
                .startSpan();
        Span call = child(frontend, "POST checkout", SpanKind.CLIENT, root, start + ms)
                .setAttribute(HTTP_METHOD, "POST")
                .setAttribute(HTTP_STATUS, failed ? 500L : 200L);
        Span orders = child(checkout, "POST /orders", SpanKind.SERVER, call, start + 2 * ms)
                .setAttribute(HTTP_METHOD, "POST")
                .setAttribute(HTTP_ROUTE, "/orders")
                .setAttribute(HTTP_STATUS, failed ? 500L : 200L);

        long t = start + 3 * ms;
        Span chargeCall = child(checkout, "PaymentService/Charge", SpanKind.CLIENT, orders, t)
                .setAttribute(RPC_SERVICE, "PaymentService")
                .setAttribute(RPC_METHOD, "Charge");
        Span charge = child(payment, "PaymentService/Charge", SpanKind.SERVER, chargeCall, t + ms / 2)
                .setAttribute(RPC_SERVICE, "PaymentService")
                .setAttribute(RPC_METHOD, "Charge");
        if (fallback) {
            Span second = child(payment, "POST /v1/charges", SpanKind.CLIENT, charge, t + ms)
                    .setAttribute(HTTP_METHOD, "POST")
                    .setAttribute(URL_PATH, "/v1/charges")
                    .setAttribute(PEER_SERVICE, "second-provider")
                    .setAttribute(HTTP_STATUS, 201L);
            second.end(t + pay - ms, TimeUnit.NANOSECONDS);
        }
        if (failed) {
            charge.recordException(new IllegalStateException("card declined by issuer"));
            charge.setStatus(StatusCode.ERROR, "card declined");
            chargeCall.setStatus(StatusCode.ERROR);
        }
        charge.end(t + pay - ms / 2, TimeUnit.NANOSECONDS);
        chargeCall.end(t + pay, TimeUnit.NANOSECONDS);

        t += pay + ms;
        Span reserveCall = child(checkout, "InventoryService/Reserve", SpanKind.CLIENT, orders, t)
                .setAttribute(RPC_SERVICE, "InventoryService")
                .setAttribute(RPC_METHOD, "Reserve");
        Span reserve = child(inventory, "InventoryService/Reserve", SpanKind.SERVER, reserveCall, t + ms / 2)
                .setAttribute(RPC_SERVICE, "InventoryService")
                .setAttribute(RPC_METHOD, "Reserve");
        Span query = child(inventory, "SELECT stock", SpanKind.CLIENT, reserve, t + ms)
                .setAttribute(DB_SYSTEM, "postgresql")
                .setAttribute(DB_QUERY, "SELECT qty FROM stock WHERE sku = $1 FOR UPDATE");
        query.end(t + ms + db, TimeUnit.NANOSECONDS);
        reserve.end(t + inv - ms / 2, TimeUnit.NANOSECONDS);
        reserveCall.end(t + inv, TimeUnit.NANOSECONDS);

        if (failed) {
            orders.setStatus(StatusCode.ERROR);
        }
        orders.end(start + total - 2 * ms, TimeUnit.NANOSECONDS);
        call.end(start + total - ms, TimeUnit.NANOSECONDS);
        root.end(start + total, TimeUnit.NANOSECONDS);
    }

    private static Span child(Tracer tracer, String name, SpanKind kind, Span parent, long startNanos) {
        return tracer.spanBuilder(name)
                .setSpanKind(kind)
                .setParent(Context.root().with(parent))
                .setStartTimestamp(startNanos, TimeUnit.NANOSECONDS)
                .startSpan();
    }

    public long tracesStarted() {
        return tracesStarted.get();
    }

    /** Spans the broker acknowledged so far. */
    public long spansSent() {
        return exporter.spansSent();
    }

    public long sendFailures() {
        return exporter.sendFailures();
    }

    /** Stops generating, exports what the SDK still holds and waits for the broker to take it. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        loop.join();
        for (SdkTracerProvider provider : providers) {
            provider.forceFlush().join(30, TimeUnit.SECONDS);
            provider.shutdown().join(30, TimeUnit.SECONDS);
        }
        producer.flush();
        producer.close();
    }
}
