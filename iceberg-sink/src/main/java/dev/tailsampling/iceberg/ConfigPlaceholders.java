package dev.tailsampling.iceberg;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secrets in configuration values, written as placeholders in the shape of Kafka's own config
 * providers, so that one convention serves the Kafka clients and the catalog: {@code ${env:NAME}}
 * (an environment variable), {@code ${file:PATH:KEY}} (a key of a properties file) and {@code
 * ${dir:PATH:FILE}} (the content of a file in a folder, as Kubernetes mounts a secret). They are
 * resolved where the value is used, so what the job is given, shows and logs holds the placeholder,
 * never the secret.
 */
public final class ConfigPlaceholders {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(env|file|dir):([^}]*)}");

    private ConfigPlaceholders() {}

    /** The values with their placeholders resolved from this process's environment and files. */
    public static Map<String, String> resolve(Map<String, String> values) {
        return resolve(values, System::getenv);
    }

    static Map<String, String> resolve(Map<String, String> values, Function<String, String> environment) {
        Map<String, String> resolved = new HashMap<>();
        values.forEach((key, value) -> resolved.put(key, resolve(key, value, environment)));
        return resolved;
    }

    private static String resolve(String key, String value, Function<String, String> environment) {
        if (value == null || !value.contains("${")) {
            return value;
        }
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(lookup(key, m.group(1), m.group(2), environment)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** One placeholder's value; the error names the property and the source, never a value. */
    private static String lookup(String key, String provider, String reference, Function<String, String> environment) {
        if (provider.equals("env")) {
            String value = environment.apply(reference);
            if (value == null) {
                throw new IllegalArgumentException(key + ": environment variable " + reference + " is not set");
            }
            return value;
        }
        int colon = reference.lastIndexOf(':');
        if (colon <= 0 || colon == reference.length() - 1) {
            throw new IllegalArgumentException(key + ": ${" + provider + ":" + reference
                    + "} needs a path and a key, as ${" + provider + ":PATH:KEY}");
        }
        Path path = Path.of(reference.substring(0, colon));
        String name = reference.substring(colon + 1);
        try {
            if (provider.equals("dir")) {
                return Files.readString(path.resolve(name), StandardCharsets.UTF_8)
                        .strip();
            }
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
            String value = properties.getProperty(name);
            if (value == null) {
                throw new IllegalArgumentException(key + ": " + path + " has no key " + name);
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(key + ": cannot read " + path + " for its placeholder", e);
        }
    }
}
