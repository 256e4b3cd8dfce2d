// `namespace/host` references used by Gateway servers and Sidecar egress listeners
// (reference 1.2 ValidateNamespaceSlashWildcardHostname).
import { isDns1123Label, isIpAddress, partialWildcardProblem, wildcardDomainProblem } from './fields.js';

export interface NamespacedHostOptions {
  /** Gateway hosts may omit `ns/` (meaning `*`); Sidecar egress hosts must have it. */
  readonly namespaceOptional: boolean;
  /** Sidecar egress allows a `~` prefix (exclusion) on the namespace part. */
  readonly allowTilde: boolean;
  /** Gateways accept IP addresses as hosts. */
  readonly allowIp: boolean;
}

export function namespacedHostProblem(value: string, options: NamespacedHostOptions): string | undefined {
  const slash = value.indexOf('/');
  if (slash === -1 && !options.namespaceOptional) return `host "${value}" must be of the form namespace/dnsName`;
  const namespace = slash === -1 ? '*' : value.slice(0, slash);
  const host = slash === -1 ? value : value.slice(slash + 1);
  if (slash !== -1 && (namespace === '' || host === '')) return `namespace and dnsName in host "${value}" cannot be empty`;
  // Sidecar egress may exclude a namespace with a leading `~` (`~/host`, `~ns/host`).
  const bareNamespace = options.allowTilde ? namespace.replace(/^~/, '') : namespace;
  if (bareNamespace !== '' && bareNamespace !== '*' && bareNamespace !== '.' && !isDns1123Label(bareNamespace)) {
    return `invalid namespace "${namespace}" in host "${value}" (must be "*", ".", or a namespace name)`;
  }
  if (host === '*') return undefined;
  if (!host.includes('.')) return `short name "${host}" is not allowed in host "${value}"; use a fully qualified name or a wildcard`;
  if (!(options.allowIp && isIpAddress(host))) {
    const problem = wildcardDomainProblem(host);
    if (problem) return problem;
  }
  return partialWildcardProblem(host);
}
