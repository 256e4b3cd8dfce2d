// Where meshgate's /validate and istiod's decide differently on purpose, each with the heading that
// explains it in docs/compatibility.md ("Known differences"). The differential suite fails on any
// disagreement that is not one of these, and on any listed here that the document does not explain.
import type { Json, ValidationCase } from './validation-cases.js';
import type { Verdict } from './verdicts.js';

export interface JudgedCase extends ValidationCase {
  readonly istiod: Verdict;
  readonly meshgate: Verdict;
  /** The API server with Istio's CRDs, before any validating webhook (dry run, strict field validation). */
  readonly apiServer: Verdict;
}

export interface KnownDifference {
  /** The heading in docs/compatibility.md, word for word. */
  readonly heading: string;
  readonly applies: (judged: JudgedCase) => boolean;
}

function kindOf(object: Json): string {
  return String(object['kind']);
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    // istiod's webhook leaves these to the API server, which refuses them before any webhook is called.
    heading: 'meshgate checks the CRD layer too',
    applies: (judged) => judged.istiod.allowed && !judged.meshgate.allowed && !judged.apiServer.allowed,
  },
  {
    // Istio kinds meshgate does not validate are allowed by its webhook (with a warning on the CLI).
    heading: 'Kinds meshgate does not validate',
    applies: (judged) => judged.meshgate.allowed && !judged.istiod.allowed && ['EnvoyFilter', 'WasmPlugin', 'WorkloadGroup', 'ProxyConfig', 'TrafficExtension'].includes(kindOf(judged.object)),
  },
];

/** The known difference a disagreement falls under, or undefined (a defect to fix or document). */
export function explain(judged: JudgedCase): KnownDifference | undefined {
  return KNOWN_DIFFERENCES.find((difference) => difference.applies(judged));
}
