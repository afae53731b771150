package dev.tailsampling.operators.otlp;

import dev.tailsampling.operators.DeadLetter;
import dev.tailsampling.operators.TraceFragment;
import java.util.ArrayList;
import java.util.List;

/** Keeps what the decoder puts out, in order. */
public final class CollectingOutput implements OtlpDecoder.Output {
    public final List<TraceFragment> fragments = new ArrayList<>();
    public final List<DeadLetter> deadLetters = new ArrayList<>();

    @Override
    public void fragment(TraceFragment fragment) {
        fragments.add(fragment);
    }

    @Override
    public void deadLetter(DeadLetter deadLetter) {
        deadLetters.add(deadLetter);
    }
}
