package dev.tailsampling.sampling.head;

import io.opentelemetry.contrib.sampler.consistent56.Composable;
import io.opentelemetry.contrib.sampler.consistent56.Predicate;

/**
 * One rule of a head-sampling file: the spans it applies to and the consistent sampler that
 * decides them. Rules are tried in file order; the first that applies decides.
 *
 * @param strategy the strategy's name in the file
 * @param appliesTo what the rule applies to, for messages
 * @param predicate which starting spans the rule applies to
 * @param sampler a consistent-probability sampler: a fixed rate or a rate limit
 * @param catchAll whether the rule applies to every span, so that no later rule is ever tried
 */
public record HeadRule(String strategy, String appliesTo, Predicate predicate, Composable sampler, boolean catchAll) {}
