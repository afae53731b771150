package dev.tailsampling.operators.otlp;

import static dev.tailsampling.operators.otlp.OtlpTestData.attr;
import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Mutations of valid OTLP requests, as a hostile or broken producer would send them: bit flips,
 * truncation, length prefixes that lie, repeated fields blown up, nested and wide value bombs,
 * bytes that are not UTF-8, huge and negative numbers. Seeded: the same random gives the same
 * mutants. The seeds' spans start at {@link OtlpTestData#T0}.
 */
public final class OtlpMutator {

    /** Wide bombs built once: building them is slower than decoding them. */
    private static final List<byte[]> WIDE_BOMBS = List.of(wideBomb(1_000), wideBomb(30_000), wideBomb(200_000));

    private OtlpMutator() {}

    /** Valid requests to mutate: one trace over two services with an event and a link; twenty one-span traces. */
    public static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        seeds.add(request(
                        resourceSpans(
                                "frontend",
                                span(trace, "00f067aa0ba902b7", "", "GET /", 0, 120)
                                        .addAttributes(attr("http.method", "GET"))
                                        .addAttributes(attr("http.status_code", 200))),
                        resourceSpans(
                                "checkout",
                                error(span(trace, "00f067aa0ba902b8", "00f067aa0ba902b7", "charge", 10, 50))
                                        .addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
                                                .setName("exception")
                                                .addAttributes(attr("exception.message", "card declined")))
                                        .addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
                                                .setTraceId(OtlpTestData.id("0af7651916cd43dd8448eb211c80319c"))
                                                .setSpanId(OtlpTestData.id("00f067aa0ba902b9")))))
                .toByteArray());
        List<io.opentelemetry.proto.trace.v1.Span.Builder> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(span(String.format("%032x", i + 1), String.format("%016x", i + 1), "", "op" + i, i, 5)
                    .addAttributes(attr("db.statement", "SELECT * FROM t WHERE id = " + i)));
        }
        seeds.add(request(resourceSpans("inventory", many.toArray(new io.opentelemetry.proto.trace.v1.Span.Builder[0])))
                .toByteArray());
        return seeds;
    }

    /** One to three mutations of {@code seed}. */
    public static byte[] mutate(byte[] seed, Random random) {
        byte[] record = seed;
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(9)) {
                case 0 -> record = flipBits(record, random);
                case 1 -> record = truncate(record, random);
                case 2 -> record = lyingLength(record, random);
                case 3 -> record = blowUp(record, random);
                case 4 -> record = append(record, nestedBomb(random));
                case 5 -> record = notUtf8(record, random);
                case 6 -> record = append(record, extremeNumbers(random));
                case 7 -> record = repeated(record, 2 + random.nextInt(40));
                default -> record = append(record, WIDE_BOMBS.get(random.nextInt(WIDE_BOMBS.size())));
            }
        }
        return record;
    }

    private static byte[] flipBits(byte[] record, Random random) {
        byte[] out = record.clone();
        for (int i = 1 + random.nextInt(4); i > 0 && out.length > 0; i--) {
            out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
    }

    private static byte[] truncate(byte[] record, Random random) {
        return java.util.Arrays.copyOf(record, random.nextInt(record.length + 1));
    }

    /** A varint of any size written over a random position: lengths that say more or less than is there. */
    private static byte[] lyingLength(byte[] record, Random random) {
        if (record.length == 0) {
            return record;
        }
        byte[] out = record.clone();
        long value = random.nextBoolean() ? random.nextInt(1 << 20) : random.nextLong();
        int at = random.nextInt(out.length);
        while (at < out.length) {
            byte b = (byte) (value & 0x7f);
            value >>>= 7;
            out[at++] = (byte) (value == 0 ? b : b | 0x80);
            if (value == 0) {
                break;
            }
        }
        return out;
    }

    /** A slice of the record repeated many times: repeated fields (spans, attributes) multiplied. */
    private static byte[] blowUp(byte[] record, Random random) {
        if (record.length < 2) {
            return record;
        }
        int from = random.nextInt(record.length - 1);
        int to = from + 1 + random.nextInt(Math.min(record.length - from, 200));
        int times = 1 + random.nextInt(5_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream(record.length + (to - from) * times);
        out.write(record, 0, to);
        for (int i = 0; i < times; i++) {
            out.write(record, from, to - from);
        }
        out.write(record, to, record.length - to);
        return out.toByteArray();
    }

    /** The whole request again and again: every repeated field multiplied. */
    private static byte[] repeated(byte[] record, int times) {
        byte[] out = new byte[0];
        for (int i = 0; i < times; i++) {
            out = append(out, record);
        }
        return out;
    }

    /** Concatenated protobuf messages merge: the extra resource spans join the request. */
    private static byte[] append(byte[] record, byte[] extra) {
        byte[] out = java.util.Arrays.copyOf(record, record.length + extra.length);
        System.arraycopy(extra, 0, out, record.length, extra.length);
        return out;
    }

    private static byte[] withAttribute(KeyValue attribute, io.opentelemetry.proto.trace.v1.Span.Builder span) {
        return request(resourceSpans("bomb", span.addAttributes(attribute))).toByteArray();
    }

    private static byte[] nestedBomb(Random random) {
        AnyValue value = AnyValue.newBuilder().setStringValue("leaf").build();
        for (int depth = random.nextInt(150); depth > 0; depth--) {
            value = random.nextBoolean()
                    ? AnyValue.newBuilder()
                            .setArrayValue(ArrayValue.newBuilder().addValues(value))
                            .build()
                    : AnyValue.newBuilder()
                            .setKvlistValue(KeyValueList.newBuilder()
                                    .addValues(KeyValue.newBuilder().setKey("k").setValue(value)))
                            .build();
        }
        return withAttribute(
                KeyValue.newBuilder().setKey("nested").setValue(value).build(),
                span("5bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902c1", "", "nested", 0, 1));
    }

    private static byte[] wideBomb(int width) {
        ArrayValue.Builder array = ArrayValue.newBuilder();
        for (int i = width; i > 0; i--) {
            array.addValues(AnyValue.getDefaultInstance());
        }
        return withAttribute(
                KeyValue.newBuilder()
                        .setKey("wide")
                        .setValue(AnyValue.newBuilder().setArrayValue(array))
                        .build(),
                span("6bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902c2", "", "wide", 0, 1));
    }

    /** Bytes that are never UTF-8, over a random stretch (sometimes inside a string). */
    private static byte[] notUtf8(byte[] record, Random random) {
        byte[] out = record.clone();
        for (int i = 1 + random.nextInt(3); i > 0 && out.length > 0; i--) {
            out[random.nextInt(out.length)] = (byte) (0xf8 + random.nextInt(8));
        }
        return out;
    }

    private static byte[] extremeNumbers(Random random) {
        long[] extremes = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1, random.nextLong()};
        io.opentelemetry.proto.trace.v1.Span.Builder span = span(
                        "7bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902c3", "", "numbers", 0, 1)
                .setStartTimeUnixNano(extremes[random.nextInt(extremes.length)])
                .setEndTimeUnixNano(extremes[random.nextInt(extremes.length)])
                .setDroppedAttributesCount(random.nextInt())
                .setFlags(random.nextInt())
                .setParentSpanId(ByteString.copyFrom(new byte[random.nextInt(20)]))
                .addAttributes(attr("http.status_code", extremes[random.nextInt(extremes.length)]))
                .addAttributes(KeyValue.newBuilder()
                        .setKey("d")
                        .setValue(AnyValue.newBuilder()
                                .setDoubleValue(random.nextBoolean() ? Double.NaN : -Double.MAX_VALUE)));
        return request(resourceSpans("numbers", span)).toByteArray();
    }
}
