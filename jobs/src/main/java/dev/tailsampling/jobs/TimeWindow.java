package dev.tailsampling.jobs;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The {@code --from TIME --to TIME} window of the commands that read a topic by time. */
record TimeWindow(Instant from, Instant to) {

    /** The window of two ISO-8601 instants, the first before the second; a message naming the option otherwise. */
    static TimeWindow parse(String from, String to) {
        TimeWindow window = new TimeWindow(instant("from", from), instant("to", to));
        if (!window.from.isBefore(window.to)) {
            throw new IllegalArgumentException("--from must be before --to");
        }
        return window;
    }

    private static Instant instant(String key, String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "--" + key + ": '" + text + "' is not an ISO-8601 instant such as 2026-12-03T10:00:00Z");
        }
    }
}
