package dev.tailsampling.sampling.config;

/** A policy file that cannot be used; the message names the file, the policy and the problem. */
public class PolicyFileException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public PolicyFileException(String message) {
        super(message);
    }
}
