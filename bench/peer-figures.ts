// What the peer benchmark measures (bench/peer/measure.ts writes it, bench/peer.ts prints it).
import type { LoadResult } from './lib/loadgen.js';

export interface CommandFigures {
  readonly wallMs: number;
  readonly peakRssMb: number;
  readonly exitCode: number;
}

export interface ServerFigures {
  /** Median over the rounds. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Transport errors and non-2xx answers, all rounds. */
  readonly errors: number;
  readonly rounds: readonly LoadResult[];
}

export interface Memory {
  readonly rssMb: number;
  readonly peakRssMb: number;
}

export interface RouteComparison {
  readonly meshgateRoute: string;
  readonly istiodRoute: string;
  readonly closedLoop: { readonly meshgate: ServerFigures; readonly istiod: ServerFigures };
  readonly fixedRate: { readonly meshgate: LoadResult; readonly istiod: LoadResult };
  /** Resident memory after this route's runs, and the peak so far (VmHWM). */
  readonly memory: { readonly meshgate: Memory; readonly istiod: Memory };
}

export interface AnalyzeComparison {
  readonly objects: number;
  readonly meshgate: CommandFigures;
  readonly istioctl: CommandFigures;
}

export interface PeerFigures {
  readonly istio: { readonly version: string; readonly revision: string };
  readonly concurrency: number;
  readonly fixedRatePerSecond: number;
  readonly routes: readonly RouteComparison[];
  readonly analyze: readonly AnalyzeComparison[];
}

export type PeerOutcome = { readonly skipped: string } | { readonly figures: PeerFigures };
