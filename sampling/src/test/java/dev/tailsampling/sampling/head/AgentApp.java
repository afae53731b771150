package dev.tailsampling.sampling.head;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;

/**
 * An application that knows only the OpenTelemetry API, run under the Java agent by {@link
 * HeadSamplerAgentIT}: it starts root spans of admin and other requests and prints, a line each,
 * the path, whether the span was sampled and its {@code ot} tracestate entry.
 */
public final class AgentApp {
    private AgentApp() {}

    public static void main(String[] args) {
        Tracer tracer = GlobalOpenTelemetry.getTracer("agent-app");
        int others = Integer.parseInt(args[0]);
        for (int i = 0; i <= others; i++) {
            String path = i == 0 ? "/api/admin/users" : "/search";
            Span span = tracer.spanBuilder("GET " + path)
                    .setSpanKind(SpanKind.SERVER)
                    .setAttribute("url.path", path)
                    .startSpan();
            System.out.println("span " + path + " " + span.getSpanContext().isSampled() + " "
                    + span.getSpanContext().getTraceState().get("ot"));
            span.end();
        }
    }
}
