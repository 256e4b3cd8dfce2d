// Figures over several rounds of a benchmark: the median, and rounds of load as one result.
import type { LoadResult } from './loadgen.js';

/** The middle value (the mean of the two middle ones for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Rounds of load against one server as one result: requests, errors and non-2xx answers summed, rate and
 * latency percentiles the median of the rounds' (one slow round moves them less than a mean), the
 * slowest answer of all.
 */
export function combineRounds(rounds: readonly LoadResult[]): LoadResult {
  const sum = (pick: (r: LoadResult) => number): number => rounds.reduce((total, r) => total + pick(r), 0);
  const middle = (pick: (r: LoadResult) => number): number => median(rounds.map(pick));
  return {
    requests: sum((r) => r.requests),
    errors: sum((r) => r.errors),
    non2xx: sum((r) => r.non2xx),
    requestsPerSecond: middle((r) => r.requestsPerSecond),
    p50Ms: middle((r) => r.p50Ms),
    p99Ms: middle((r) => r.p99Ms),
    p999Ms: middle((r) => r.p999Ms),
    maxMs: Math.max(0, ...rounds.map((r) => r.maxMs)),
  };
}
