// WorkloadEntry semantics (reference 1.3 ValidateWorkloadEntry).
import { checkLabels, checkPort, fqdnProblem, isDns1123Label, isIpAddress } from './fields.js';
import { entry, isSet, objectAt } from './read.js';
import type { KindContext } from './types.js';

const UNIX_PREFIX = 'unix://';

export function checkWorkloadEntry({ spec, findings }: KindContext): void {
  const address = typeof spec['address'] === 'string' ? spec['address'] : '';
  if (address === '') {
    if (isSet(spec['network'])) findings.warn('spec.address', 'no address: the workload is reachable only through its network gateway');
    else findings.error('spec.address', 'address is required (unless network is set)');
  } else if (address.startsWith(UNIX_PREFIX)) {
    const socket = address.slice(UNIX_PREFIX.length);
    if (!socket.startsWith('/') && !socket.startsWith('@')) findings.error('spec.address', `unix address "${address}" must be an absolute path or an abstract socket (@name)`);
    else if (socket.startsWith('/') && socket.endsWith('/')) findings.error('spec.address', `unix address "${address}" names a directory, not a socket`);
    if (isSet(spec['ports'])) findings.error('spec.ports', 'a unix socket address cannot have ports');
  } else if (!isIpAddress(address)) {
    const problem = fqdnProblem(address);
    if (problem) findings.error('spec.address', `address must be an IP address or a hostname: ${problem}`);
  }
  for (const [name, number] of Object.entries(objectAt(spec['ports']) ?? {})) {
    const path = entry('spec.ports', name);
    if (!isDns1123Label(name)) findings.error(path, `invalid port name "${name}" (must be a DNS-1123 label)`);
    checkPort(findings, path, number);
  }
  checkLabels(findings, 'spec.labels', spec['labels']);
  const serviceAccount = spec['serviceAccount'];
  // istiod does not check it; a name Kubernetes cannot have gives the workload an identity no
  // ServiceAccount (and so no AuthorizationPolicy principal) matches.
  if (typeof serviceAccount === 'string' && serviceAccount !== '' && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(serviceAccount)) {
    findings.warn('spec.serviceAccount', `"${serviceAccount}" is not a valid Kubernetes ServiceAccount name; no ServiceAccount can match this identity`);
  }
}
