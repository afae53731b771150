package dev.tailsampling.operators.otlp;

import io.opentelemetry.instrumentation.api.incubator.semconv.db.SqlDialect;
import io.opentelemetry.instrumentation.api.incubator.semconv.db.SqlQueryAnalyzer;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Redaction rules applied in the decoder, before anything is buffered, written or sent to the
 * dead letters: attributes whose key is in {@code drop} are removed; those in {@code hash} get the
 * HMAC-SHA256 of their value under the key in {@code hashKeyFile} (the same value always gives the
 * same hash, so it still groups and joins, but cannot be read back); with {@code sanitizeSql}, SQL
 * statements ({@code db.statement}, {@code db.query.text}) have their literals replaced by {@code ?}
 * by OpenTelemetry instrumentation's sanitizer. Rules apply to span, event, link and resource
 * attributes alike.
 *
 * @param drop attribute keys to remove
 * @param hash attribute keys whose values are replaced by their keyed hash
 * @param hashKeyFile a file holding the hash key; read where the decoder runs, never serialized
 * @param sanitizeSql whether SQL statements are sanitized
 */
public record Redaction(Set<String> drop, Set<String> hash, String hashKeyFile, boolean sanitizeSql)
        implements Serializable {

    /** No redaction. */
    public static final Redaction NONE = new Redaction(Set.of(), Set.of(), null, false);

    private static final Set<String> SQL_KEYS = Set.of("db.statement", "db.query.text");

    public Redaction {
        drop = Set.copyOf(drop);
        hash = Set.copyOf(hash);
        if (!hash.isEmpty() && (hashKeyFile == null || hashKeyFile.isBlank())) {
            throw new IllegalArgumentException("hashing attributes needs a key file");
        }
    }

    public boolean isNone() {
        return drop.isEmpty() && hash.isEmpty() && !sanitizeSql;
    }

    /** The rules ready to apply, with the hash key read from its file here. */
    public Redactor open() {
        return isNone() ? Redactor.NONE : new Redactor(this);
    }

    /** Applies the rules; returns its input itself when nothing in it is redacted. */
    public static class Redactor {
        static final Redactor NONE = new Redactor(null);

        private final Redaction rules;
        private final Mac mac;
        private final SqlQueryAnalyzer sql;

        private Redactor(Redaction rules) {
            this.rules = rules;
            this.mac = rules == null || rules.hash.isEmpty() ? null : mac(Path.of(rules.hashKeyFile));
            this.sql = rules != null && rules.sanitizeSql ? SqlQueryAnalyzer.create(true) : null;
        }

        private static Mac mac(Path keyFile) {
            try {
                byte[] key = Files.readAllBytes(keyFile);
                if (key.length == 0) {
                    throw new IllegalArgumentException("the redaction hash key file " + keyFile + " is empty");
                }
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                return mac;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the redaction hash key file " + keyFile, e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA256 is not available", e);
            }
        }

        public Span apply(Span span) {
            return rules == null ? span : AttributeRewrite.of(span, this::apply);
        }

        public Resource apply(Resource resource) {
            return rules == null ? resource : AttributeRewrite.of(resource, this::apply);
        }

        /** The attributes redacted, or null when no rule touches them. */
        private List<KeyValue> apply(List<KeyValue> attributes) {
            List<KeyValue> out = null;
            for (int i = 0; i < attributes.size(); i++) {
                KeyValue kv = attributes.get(i);
                KeyValue redacted = apply(kv);
                if (redacted != kv && out == null) {
                    out = new ArrayList<>(attributes.subList(0, i));
                }
                if (out != null && redacted != null) {
                    out.add(redacted);
                }
            }
            return out;
        }

        /** The attribute redacted, the same instance if untouched, or null if dropped. */
        private KeyValue apply(KeyValue kv) {
            String key = kv.getKey();
            if (rules.drop.contains(key)) {
                return null;
            }
            if (mac != null && rules.hash.contains(key)) {
                byte[] digest =
                        mac.doFinal(OtlpValues.render(kv.getValue()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return string(key, HexFormat.of().formatHex(digest, 0, 16));
            }
            if (sql != null && SQL_KEYS.contains(key) && kv.getValue().hasStringValue()) {
                String sanitized = sql.analyze(
                                kv.getValue().getStringValue(), SqlDialect.DOUBLE_QUOTES_ARE_STRING_LITERALS)
                        .getQueryText();
                return sanitized == null || sanitized.equals(kv.getValue().getStringValue())
                        ? kv
                        : string(key, sanitized);
            }
            return kv;
        }

        private static KeyValue string(String key, String value) {
            return KeyValue.newBuilder()
                    .setKey(key)
                    .setValue(AnyValue.newBuilder().setStringValue(value))
                    .build();
        }
    }
}
