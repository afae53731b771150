package dev.tailsampling.operators.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.List;

/**
 * The attribute names promoted to columns, current name first and the older name after it, and
 * the rule that makes a span an error.
 */
final class SemanticConventions {
    static final String[] HTTP_METHOD = {"http.request.method", "http.method"};
    static final String[] HTTP_STATUS_CODE = {"http.response.status_code", "http.status_code"};
    static final String[] HTTP_ROUTE = {"http.route"};
    static final String[] URL_PATH = {"url.path", "http.target"};
    static final String[] DB_SYSTEM = {"db.system.name", "db.system"};
    static final String[] DB_STATEMENT = {"db.query.text", "db.statement"};
    static final String[] RPC_SERVICE = {"rpc.service"};
    static final String[] RPC_METHOD = {"rpc.method"};
    static final String[] MESSAGING_SYSTEM = {"messaging.system"};
    static final String[] PEER_SERVICE = {"peer.service"};
    static final String[] SERVICE_NAME = {"service.name"};
    static final String[] SERVICE_VERSION = {"service.version"};
    static final String[] DEPLOYMENT_ENVIRONMENT = {"deployment.environment.name", "deployment.environment"};
    static final String[] HOST_NAME = {"host.name"};

    // The error rule runs on every span before keying: comparing key bytes leaves the keys
    // undecoded, so the span re-serializes by copying bytes.
    private static final ByteString ERROR_KEY = ByteString.copyFromUtf8("error");
    private static final ByteString[] HTTP_STATUS_CODE_KEYS = {
        ByteString.copyFromUtf8(HTTP_STATUS_CODE[0]), ByteString.copyFromUtf8(HTTP_STATUS_CODE[1])
    };

    private SemanticConventions() {}

    /** The first of {@code names} present in {@code attributes}, or null. */
    static AnyValue find(List<KeyValue> attributes, String[] names) {
        for (String name : names) {
            for (KeyValue kv : attributes) {
                if (kv.getKey().equals(name)) {
                    return kv.getValue();
                }
            }
        }
        return null;
    }

    /** The first of {@code keys} present in {@code attributes}, or null; keys stay undecoded. */
    private static AnyValue find(List<KeyValue> attributes, ByteString... keys) {
        for (ByteString key : keys) {
            for (KeyValue kv : attributes) {
                if (kv.getKeyBytes().equals(key)) {
                    return kv.getValue();
                }
            }
        }
        return null;
    }

    /** An HTTP status code as a number (strings are accepted), or null. */
    static Integer httpStatusCode(List<KeyValue> attributes) {
        return httpStatusCode(find(attributes, HTTP_STATUS_CODE_KEYS));
    }

    private static Integer httpStatusCode(AnyValue value) {
        if (value == null) {
            return null;
        }
        if (value.hasIntValue()) {
            return (int) value.getIntValue();
        }
        try {
            return Integer.valueOf(OtlpValues.render(value).trim());
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    /** Status ERROR, an {@code error} attribute that is true, or an HTTP status of 500 or more. */
    static boolean isError(io.opentelemetry.proto.trace.v1.Span span) {
        if (span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR) {
            return true;
        }
        List<KeyValue> attributes = span.getAttributesList();
        AnyValue flag = find(attributes, ERROR_KEY);
        if (flag != null && "true".equalsIgnoreCase(OtlpValues.render(flag))) {
            return true;
        }
        Integer status = httpStatusCode(find(attributes, HTTP_STATUS_CODE_KEYS));
        return status != null && status >= 500;
    }
}
