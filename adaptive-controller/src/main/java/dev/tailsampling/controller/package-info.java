/**
 * The budget controller: turns per-service sampling statistics and a budget into the
 * representative-sample rates that the tail sampler receives as a broadcast stream. Plain Java for
 * the allocation, a thin Flink job around it. Not built yet; the sampler's rate is a job parameter
 * until then.
 */
package dev.tailsampling.controller;
