package dev.tailsampling.operators.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Turns OTLP values into the strings stored in attribute maps and id columns. */
public final class OtlpValues {
    private static final HexFormat HEX = HexFormat.of();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OtlpValues() {}

    /** Lowercase hex of an id; empty for an empty id. */
    public static String hex(ByteString id) {
        return HEX.formatHex(id.toByteArray());
    }

    /** A value as a string: scalars as written, bytes as base64, arrays and maps as JSON. */
    public static String render(AnyValue value) {
        switch (value.getValueCase()) {
            case STRING_VALUE:
                return value.getStringValue();
            case BOOL_VALUE:
                return Boolean.toString(value.getBoolValue());
            case INT_VALUE:
                return Long.toString(value.getIntValue());
            case DOUBLE_VALUE:
                return Double.toString(value.getDoubleValue());
            case BYTES_VALUE:
                return Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
            case ARRAY_VALUE:
            case KVLIST_VALUE:
                try {
                    return JSON.writeValueAsString(toJson(value));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("cannot render attribute value as JSON", e);
                }
            default:
                return "";
        }
    }

    /** Attributes as a string map; a repeated key keeps its last value. */
    public static Map<String, String> toMap(List<KeyValue> attributes) {
        Map<String, String> map = new HashMap<>(attributes.size() * 2);
        for (KeyValue kv : attributes) {
            map.put(kv.getKey(), render(kv.getValue()));
        }
        return map;
    }

    private static JsonNode toJson(AnyValue value) {
        switch (value.getValueCase()) {
            case STRING_VALUE:
                return NODES.textNode(value.getStringValue());
            case BOOL_VALUE:
                return NODES.booleanNode(value.getBoolValue());
            case INT_VALUE:
                return NODES.numberNode(value.getIntValue());
            case DOUBLE_VALUE:
                return NODES.numberNode(value.getDoubleValue());
            case BYTES_VALUE:
                return NODES.binaryNode(value.getBytesValue().toByteArray());
            case ARRAY_VALUE:
                ArrayNode array = NODES.arrayNode();
                value.getArrayValue().getValuesList().forEach(v -> array.add(toJson(v)));
                return array;
            case KVLIST_VALUE:
                ObjectNode object = NODES.objectNode();
                value.getKvlistValue().getValuesList().forEach(kv -> object.set(kv.getKey(), toJson(kv.getValue())));
                return object;
            default:
                return NODES.nullNode();
        }
    }
}
