// Route destinations shared by VirtualService routes and Sidecar egress proxies.
import { checkPort, isDns1123Label, wildcardDomainProblem } from './fields.js';
import { objectAt, type Fields } from './read.js';
import type { Findings } from './types.js';

/** `destination`: host (not `*`, valid DNS or wildcard), subset a DNS label, port valid. */
export function checkDestination(findings: Findings, path: string, value: unknown): void {
  const destination = objectAt(value);
  if (!destination) return;
  const host = destination['host'];
  if (typeof host === 'string') {
    if (host === '*') findings.error(`${path}.host`, 'invalid destination host "*": a destination must name a service');
    else {
      const problem = wildcardDomainProblem(host);
      if (problem) findings.error(`${path}.host`, problem);
    }
  }
  const subset = destination['subset'];
  if (typeof subset === 'string' && subset !== '' && !isDns1123Label(subset)) {
    findings.error(`${path}.subset`, `subset name "${subset}" is invalid (must be a DNS-1123 label)`);
  }
  // A port selector that is there must name a port: Istio reads `port: {}` as port 0, out of range.
  const port = objectAt(destination['port']);
  if (port) checkPort(findings, `${path}.port.number`, port['number'] ?? 0);
}

export function destinationHost(value: unknown): string | undefined {
  const destination: Fields | undefined = objectAt(value);
  const host = destination?.['host'];
  return typeof host === 'string' ? host : undefined;
}
