package dev.tailsampling.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.TimeUtils;

/**
 * A traffic shape for the load generator: multiples of the base rate, each for a while, such as
 * {@code 1x:30s,5x:60s,1x:30s}. After the last step the last multiple holds.
 */
public final class TrafficSteps {
    private final List<Double> multiples;
    private final List<Duration> lengths;

    private TrafficSteps(List<Double> multiples, List<Duration> lengths) {
        this.multiples = multiples;
        this.lengths = lengths;
    }

    /** The base rate throughout. */
    public static TrafficSteps constant() {
        return new TrafficSteps(List.of(1.0), List.of(Duration.ZERO));
    }

    public static TrafficSteps parse(String text) {
        List<Double> multiples = new ArrayList<>();
        List<Duration> lengths = new ArrayList<>();
        for (String step : text.split(",")) {
            String[] parts = step.trim().split(":");
            if (parts.length != 2 || !parts[0].endsWith("x")) {
                throw new IllegalArgumentException(
                        "--traffic-steps: '" + step + "' is not MULTIPLEx:DURATION, such as 5x:60s");
            }
            try {
                double multiple = Double.parseDouble(parts[0].substring(0, parts[0].length() - 1));
                if (!(multiple >= 0)) {
                    throw new IllegalArgumentException("a multiple must not be negative");
                }
                multiples.add(multiple);
                lengths.add(TimeUtils.parseDuration(parts[1]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--traffic-steps: '" + step + "': " + e.getMessage(), e);
            }
        }
        return new TrafficSteps(List.copyOf(multiples), List.copyOf(lengths));
    }

    public double multipleAt(Duration elapsed) {
        Duration end = Duration.ZERO;
        for (int i = 0; i < multiples.size(); i++) {
            end = end.plus(lengths.get(i));
            if (elapsed.compareTo(end) < 0) {
                return multiples.get(i);
            }
        }
        return multiples.get(multiples.size() - 1);
    }

    /** The length of all steps together. */
    public Duration total() {
        return lengths.stream().reduce(Duration.ZERO, Duration::plus);
    }
}
