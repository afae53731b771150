package dev.tailsampling.operators.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Arrays;

/**
 * Counts what parsing an OTLP {@code ExportTraceServiceRequest} would allocate, by walking its wire
 * format without building anything: spans, and every message at every level plus every field the
 * schema does not know (which the parser keeps as unknown fields). A record of a few megabytes of
 * empty sub-messages would otherwise become hundreds of megabytes of objects before any limit could
 * look at it. The walk keeps its own stack, so nesting cannot overflow the thread's.
 */
final class RecordScan {
    /** Nesting the protobuf parser accepts; a deeper record does not parse. */
    static final int MAX_DEPTH = 100;

    // Message types of the OTLP trace request, and for each the field numbers that hold messages.
    private static final int REQUEST = 0;
    private static final int RESOURCE_SPANS = 1;
    private static final int RESOURCE = 2;
    private static final int SCOPE_SPANS = 3;
    private static final int SCOPE = 4;
    private static final int SPAN = 5;
    private static final int EVENT = 6;
    private static final int LINK = 7;
    private static final int KEY_VALUE = 8;
    private static final int ANY_VALUE = 9;
    private static final int ARRAY = 10;
    private static final int KV_LIST = 11;
    /** A message counted but not walked: Status, EntityRef. */
    private static final int LEAF = 12;
    // Scalar fields: 100 plus the wire type they are written with.
    private static final int VARINT = 100 + WireFormat.WIRETYPE_VARINT;
    private static final int FIXED64 = 100 + WireFormat.WIRETYPE_FIXED64;
    private static final int FIXED32 = 100 + WireFormat.WIRETYPE_FIXED32;
    private static final int BYTES = 100 + WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int UNKNOWN = -1;

    private static final int[][] FIELDS = new int[12][];

    static {
        fields(REQUEST, 1, RESOURCE_SPANS);
        fields(RESOURCE_SPANS, 1, RESOURCE, 2, SCOPE_SPANS, 3, BYTES);
        fields(RESOURCE, 1, KEY_VALUE, 2, VARINT, 3, LEAF);
        fields(SCOPE_SPANS, 1, SCOPE, 2, SPAN, 3, BYTES);
        fields(SCOPE, 1, BYTES, 2, BYTES, 3, KEY_VALUE, 4, VARINT);
        fields(
                SPAN, 1, BYTES, 2, BYTES, 3, BYTES, 4, BYTES, 5, BYTES, 6, VARINT, 7, FIXED64, 8, FIXED64, 9, KEY_VALUE,
                10, VARINT, 11, EVENT, 12, VARINT, 13, LINK, 14, VARINT, 15, LEAF, 16, FIXED32);
        fields(EVENT, 1, FIXED64, 2, BYTES, 3, KEY_VALUE, 4, VARINT);
        fields(LINK, 1, BYTES, 2, BYTES, 3, BYTES, 4, KEY_VALUE, 5, VARINT, 6, FIXED32);
        fields(KEY_VALUE, 1, BYTES, 2, ANY_VALUE);
        fields(ANY_VALUE, 1, BYTES, 2, VARINT, 3, VARINT, 4, FIXED64, 5, ARRAY, 6, KV_LIST, 7, BYTES);
        fields(ARRAY, 1, ANY_VALUE);
        fields(KV_LIST, 1, KEY_VALUE);
    }

    private static void fields(int type, int... numberAndType) {
        int max = 0;
        for (int i = 0; i < numberAndType.length; i += 2) {
            max = Math.max(max, numberAndType[i]);
        }
        int[] byNumber = new int[max + 1];
        Arrays.fill(byNumber, UNKNOWN);
        for (int i = 0; i < numberAndType.length; i += 2) {
            byNumber[numberAndType[i]] = numberAndType[i + 1];
        }
        FIELDS[type] = byNumber;
    }

    /** What the scan found: counts, or why the record cannot be taken (null when it can). */
    record Result(int spans, int values, String refusal, String detail) {}

    private RecordScan() {}

    /**
     * Counts the record's spans and values, stopping as soon as one passes its limit. A record whose
     * wire format is broken is refused as unparseable here, before the parser allocates for it.
     */
    static Result scan(byte[] record, int maxSpans, int maxValues) {
        CodedInputStream in = CodedInputStream.newInstance(record);
        int[] types = new int[MAX_DEPTH + 1];
        int[] limits = new int[MAX_DEPTH + 1];
        int depth = 0;
        types[0] = REQUEST;
        int spans = 0;
        int values = 0;
        try {
            while (true) {
                if (in.isAtEnd()) {
                    if (depth == 0) {
                        return new Result(spans, values, null, null);
                    }
                    in.popLimit(limits[depth]);
                    depth--;
                    continue;
                }
                int tag = in.readTag();
                int number = WireFormat.getTagFieldNumber(tag);
                int wireType = WireFormat.getTagWireType(tag);
                if (wireType == WireFormat.WIRETYPE_START_GROUP) {
                    return new Result(
                            spans,
                            values,
                            OtlpDecoder.UNPARSEABLE_RECORD,
                            "not an OTLP ExportTraceServiceRequest: field " + number + " is a group");
                }
                int[] known = FIELDS[types[depth]];
                int field = number < known.length ? known[number] : UNKNOWN;
                boolean message = field >= 0 && field < 100 && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED;
                // The parser keeps a field it does not know, or one of the wrong wire type, aside.
                boolean scalar = field >= 100 && wireType == field - 100;
                if (!scalar) {
                    values++;
                    if (values > maxValues) {
                        return new Result(
                                spans,
                                values,
                                OtlpDecoder.TOO_MANY_VALUES,
                                "more than " + maxValues + " values (messages and unknown fields) in one record");
                    }
                }
                if (field == SPAN && message && ++spans > maxSpans) {
                    return new Result(
                            spans,
                            values,
                            OtlpDecoder.TOO_MANY_SPANS,
                            "more than " + maxSpans + " spans in one record");
                }
                if (!message || field == LEAF) {
                    in.skipField(tag);
                    continue;
                }
                int length = in.readRawVarint32();
                if (depth == MAX_DEPTH) {
                    return new Result(
                            spans,
                            values,
                            OtlpDecoder.UNPARSEABLE_RECORD,
                            "not an OTLP ExportTraceServiceRequest: nested deeper than " + MAX_DEPTH);
                }
                int outer = in.pushLimit(length);
                depth++;
                types[depth] = field;
                limits[depth] = outer;
            }
        } catch (IOException | RuntimeException e) {
            return new Result(
                    spans,
                    values,
                    OtlpDecoder.UNPARSEABLE_RECORD,
                    "not an OTLP ExportTraceServiceRequest: " + e.getMessage());
        }
    }
}
