// Sidecar semantics (reference 1.3 ValidateSidecar).
import { checkDestination } from './destination.js';
import { checkConnectionPool } from './destinationrule.js';
import { checkPort, checkSelectorLabels, fqdnProblem, isDns1123Label, isHttpProtocol, isIpAddress, parseProtocol, type Protocol } from './fields.js';
import { namespacedHostProblem } from './hosts.js';
import { entry, isSet, listAt, objectAt, objectsOf, stringsOf, type Fields } from './read.js';
import type { Findings, KindContext } from './types.js';

const UNIX_PREFIX = 'unix://';
// `:PORT` (empty host) means localhost, as in Istio's older form.
const DEFAULT_ENDPOINT = /^(127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\]|):(\d+)$/;

function checkListenerPort(findings: Findings, path: string, port: Fields, options: { allowZero: boolean }): Protocol | undefined {
  checkPort(findings, `${path}.number`, port['number'], { allowZero: options.allowZero });
  if (port['targetPort'] !== undefined) findings.error(`${path}.targetPort`, 'targetPort is not allowed on Sidecar listeners');
  const name = port['name'];
  if (typeof name === 'string' && name !== '' && !isDns1123Label(name)) findings.error(`${path}.name`, `invalid port name "${name}" (must be a DNS-1123 label)`);
  const raw = port['protocol'];
  if (typeof raw !== 'string' || raw === '') return undefined;
  const protocol = parseProtocol(raw);
  if (!protocol) findings.error(`${path}.protocol`, `unrecognized protocol "${raw}"`);
  return protocol;
}

function checkBind(findings: Findings, path: string, bind: unknown): void {
  if (typeof bind !== 'string' || bind === '') return;
  if (bind.startsWith(UNIX_PREFIX)) {
    if (bind.length === UNIX_PREFIX.length) findings.error(path, 'unix bind must name a socket path');
  } else if (!isIpAddress(bind)) findings.error(path, `bind "${bind}" must be an IP address or a unix:// socket`);
}

function checkIngress(findings: Findings, ingress: Array<[Fields, number]>): void {
  const seen = new Map<string, number>();
  for (const [listener, index] of ingress) {
    const path = entry('spec.ingress', index);
    const port = objectAt(listener['port']);
    let protocol: Protocol | undefined;
    if (port) {
      protocol = checkListenerPort(findings, `${path}.port`, port, { allowZero: false });
      const key = `${String(listener['bind'] ?? '')}:${String(port['number'])}`;
      const first = seen.get(key);
      if (first !== undefined) findings.error(`${path}.port.number`, `port ${String(port['number'])} is already used by spec.ingress[${first}]`);
      else seen.set(key, index);
    }
    checkBind(findings, `${path}.bind`, listener['bind']);
    const endpoint = listener['defaultEndpoint'];
    if (typeof endpoint === 'string' && endpoint !== '') {
      const match = DEFAULT_ENDPOINT.exec(endpoint);
      if (endpoint.startsWith(UNIX_PREFIX)) {
        if (endpoint.length === UNIX_PREFIX.length) findings.error(`${path}.defaultEndpoint`, 'unix endpoint must name a socket path');
      } else if (!match) {
        findings.error(`${path}.defaultEndpoint`, `defaultEndpoint "${endpoint}" must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix:///path`);
      } else checkPort(findings, `${path}.defaultEndpoint`, Number(match[2]));
    }
    const tls = objectAt(listener['tls']);
    if (tls) {
      for (const field of ['subjectAltNames', 'httpsRedirect', 'credentialName', 'credentialNames', 'tlsCertificates'] as const) {
        if (isSet(tls[field])) findings.error(`${path}.tls.${field}`, 'is not supported on Sidecar ingress TLS');
      }
      if (tls['mode'] === 'ISTIO_MUTUAL' || tls['mode'] === 'AUTO_PASSTHROUGH') findings.error(`${path}.tls.mode`, `${String(tls['mode'])} is not supported on Sidecar ingress`);
      if (protocol !== undefined && protocol !== 'HTTPS' && protocol !== 'TLS') findings.error(`${path}.port.protocol`, 'ingress listeners with tls must use protocol HTTPS or TLS');
    }
    checkConnectionPool(findings, `${path}.connectionPool`, listener['connectionPool']);
    const pool = objectAt(listener['connectionPool']);
    if (pool && objectAt(pool['http']) && protocol !== undefined && !isHttpProtocol(protocol) && protocol !== 'HTTPS') {
      findings.warn(`${path}.connectionPool.http`, `HTTP connection pool settings have no effect on a ${protocol} port`);
    }
  }
}

function checkEgress(findings: Findings, egress: Array<[Fields, number]>): void {
  const seen = new Map<string, number>();
  let catchAll: number | undefined;
  egress.forEach(([listener, index], position) => {
    const path = entry('spec.egress', index);
    const port = objectAt(listener['port']);
    const bind = listener['bind'];
    const unixBind = typeof bind === 'string' && bind.startsWith(UNIX_PREFIX);
    if (!port) {
      if (catchAll !== undefined) findings.error(path, `only one catch-all egress listener (without port) is allowed; spec.egress[${catchAll}] is one already`);
      else if (position !== egress.length - 1) findings.error(path, 'the catch-all egress listener (without port) must be the last listener');
      catchAll = index;
    } else {
      checkListenerPort(findings, `${path}.port`, port, { allowZero: unixBind });
      if (port['number'] === 0) {
        const mode = listener['captureMode'] ?? 'DEFAULT';
        if (!unixBind) findings.error(`${path}.bind`, 'port 0 is only allowed with a unix:// bind address');
        if (mode !== 'DEFAULT' && mode !== 'NONE') findings.error(`${path}.captureMode`, 'a unix socket listener needs captureMode DEFAULT or NONE');
      }
      const key = unixBind ? String(bind) : `${String(bind ?? '')}:${String(port['number'])}`;
      const first = seen.get(key);
      if (first !== undefined) findings.error(`${path}.port.number`, `port ${String(port['number'])} is already used by spec.egress[${first}]`);
      else seen.set(key, index);
    }
    checkBind(findings, `${path}.bind`, bind);
    const hosts = stringsOf(listener['hosts']);
    if (hosts.length === 0) findings.error(`${path}.hosts`, 'egress listener must have at least one host');
    const known = new Set<string>();
    hosts.forEach((host, h) => {
      const hostPath = entry(`${path}.hosts`, h);
      const problem = namespacedHostProblem(host, { namespaceOptional: false, allowTilde: true, allowIp: false });
      if (problem) findings.error(hostPath, problem);
      if (known.has(host)) findings.warn(hostPath, `duplicate egress host "${host}"`);
      known.add(host);
    });
    if (hosts.includes('*/*') && hosts.length > 1) findings.warn(`${path}.hosts`, '"*/*" already imports every host; the other entries have no effect');
  });
}

function checkOutboundPolicy(findings: Findings, value: unknown): void {
  const policy = objectAt(value);
  if (!policy) return;
  const mode = policy['mode'] ?? 'REGISTRY_ONLY';
  if (mode === 'ALLOW_ANY_DYNAMIC_DNS') findings.error('spec.outboundTrafficPolicy.mode', 'ALLOW_ANY_DYNAMIC_DNS is not supported on Sidecar');
  const proxy = objectAt(policy['egressProxy']);
  if (!proxy) return;
  const path = 'spec.outboundTrafficPolicy.egressProxy';
  if (mode !== 'ALLOW_ANY') findings.error(path, 'egressProxy can only be set with mode ALLOW_ANY');
  const host = proxy['host'];
  if (typeof host === 'string' && (host.includes('*') || fqdnProblem(host))) findings.error(`${path}.host`, `egress proxy host "${host}" must be a fully qualified name without wildcards`);
  const port = objectAt(proxy['port']);
  if (!port || port['number'] === undefined) findings.error(`${path}.port`, 'egress proxy needs a port');
  checkDestination(findings, path, proxy);
}

export function checkSidecar({ spec, findings }: KindContext): void {
  if (!['ingress', 'egress', 'outboundTrafficPolicy', 'inboundConnectionPool'].some((field) => isSet(spec[field]))) {
    findings.error('spec', 'sidecar: empty configuration provided');
  }
  const selector = objectAt(spec['workloadSelector']);
  if (selector) {
    checkSelectorLabels(findings, 'spec.workloadSelector.labels', selector['labels'], {
      warnEmpty: 'sidecar with a workloadSelector without labels will be applied to all services in namespace',
    });
  }
  for (const field of ['ingress', 'egress'] as const) {
    listAt(spec[field]).forEach((listener, index) => {
      if (!objectAt(listener)) findings.error(entry(`spec.${field}`, index), 'listener must not be null');
    });
  }
  checkIngress(findings, objectsOf(spec['ingress']));
  checkEgress(findings, objectsOf(spec['egress']));
  checkOutboundPolicy(findings, spec['outboundTrafficPolicy']);
  checkConnectionPool(findings, 'spec.inboundConnectionPool', spec['inboundConnectionPool']);
}
