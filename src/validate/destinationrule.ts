// DestinationRule semantics (reference 1.3 ValidateDestinationRule).
import {
  checkDuration,
  durationNs,
  checkExportTo,
  checkLabels,
  checkPort,
  checkSelectorLabels,
  fqdnProblem,
  isDns1123Label,
  isIpAddress,
  wildcardDomainProblem,
} from './fields.js';
import { entry, isSet, objectAt, objectsOf, stringsOf, type Fields } from './read.js';
import { checkClientTls } from './tls.js';
import type { Findings, KindContext } from './types.js';

const POLICY_FIELDS = ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls'] as const;

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

function checkNonNegative(findings: Findings, path: string, fields: Fields, names: readonly string[]): void {
  for (const name of names) {
    const value = fields[name];
    if (typeof value === 'number' && value < 0) findings.error(`${path}.${name}`, `must be non-negative (got ${value})`);
  }
}

export function checkConnectionPool(findings: Findings, path: string, value: unknown): void {
  const pool = objectAt(value);
  if (!pool) return;
  const tcp = objectAt(pool['tcp']);
  const http = objectAt(pool['http']);
  if (!tcp && !http) findings.error(path, 'connection pool must have at least one field (http or tcp)');
  if (tcp) {
    const base = `${path}.tcp`;
    checkNonNegative(findings, base, tcp, ['maxConnections']);
    for (const field of ['connectTimeout', 'maxConnectionDuration'] as const) checkDuration(findings, `${base}.${field}`, tcp[field]);
    // A TCP idle timeout under 1ms (0s included) turns the timeout off; Istio checks only longer ones.
    const idle = durationNs(tcp['idleTimeout']);
    if (idle === undefined || Math.abs(idle) >= 1e6) checkDuration(findings, `${base}.idleTimeout`, tcp['idleTimeout']);
    const keepalive = objectAt(tcp['tcpKeepalive']);
    if (keepalive) for (const field of ['time', 'interval'] as const) checkDuration(findings, `${base}.tcpKeepalive.${field}`, keepalive[field]);
  }
  if (http) {
    const base = `${path}.http`;
    checkNonNegative(findings, base, http, ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'maxConcurrentStreams']);
    checkDuration(findings, `${base}.idleTimeout`, http['idleTimeout']);
    if (http['useClientProtocol'] === true && http['h2UpgradePolicy'] === 'UPGRADE') {
      findings.error(`${base}.h2UpgradePolicy`, 'UPGRADE cannot be combined with useClientProtocol: true');
    }
    const keepAlive = objectAt(http['http2KeepAlive']);
    if (keepAlive) {
      for (const field of ['interval', 'timeout'] as const) {
        if (!isSet(keepAlive[field])) findings.error(`${base}.http2KeepAlive.${field}`, 'required value (http2KeepAlive needs interval and timeout)');
        checkDuration(findings, `${base}.http2KeepAlive.${field}`, keepAlive[field]);
      }
    }
  }
}

function checkOutlierDetection(findings: Findings, path: string, value: unknown): void {
  const outlier = objectAt(value);
  if (!outlier) return;
  const localFailures = outlier['consecutiveLocalOriginFailures'];
  if (typeof localFailures === 'number' && localFailures > 0 && outlier['splitExternalLocalOriginErrors'] !== true) {
    findings.error(`${path}.consecutiveLocalOriginFailures`, 'requires splitExternalLocalOriginErrors: true');
  }
  for (const field of ['maxEjectionPercent', 'minHealthPercent'] as const) {
    const percent = outlier[field];
    if (typeof percent === 'number' && (percent < 0 || percent > 100)) findings.error(`${path}.${field}`, `must be in range [0, 100] (got ${percent})`);
  }
  // Deprecated and ignored by Istio whatever its value (a negative one included): a warning only.
  const errors = outlier['consecutiveErrors'];
  if (errors !== undefined && errors !== 0) {
    findings.warn(`${path}.consecutiveErrors`, 'consecutiveErrors is deprecated; use consecutive5xxErrors or consecutiveGatewayErrors');
  }
  for (const field of ['interval', 'baseEjectionTime'] as const) checkDuration(findings, `${path}.${field}`, outlier[field]);
}

function checkLocality(findings: Findings, path: string, locality: Fields, hasOutlierDetection: boolean): void {
  const distribute = objectsOf(locality['distribute']);
  const failover = objectsOf(locality['failover']);
  if (distribute.length > 0 && failover.length > 0) findings.error(path, 'only one of distribute or failover can be set');
  for (const [rule, index] of distribute) {
    const rulePath = entry(`${path}.distribute`, index);
    const to = objectAt(rule['to']) ?? {};
    let sum = 0;
    for (const [target, weight] of Object.entries(to)) {
      if (typeof weight !== 'number') continue;
      if (weight < 1 || weight > 100) findings.error(entry(`${rulePath}.to`, target), `locality weight must be in range [1, 100] (got ${weight})`);
      sum += weight;
    }
    if (sum !== 100) findings.error(`${rulePath}.to`, `locality weights must sum to 100 (got ${sum})`);
    if (!isSet(rule['from'])) findings.error(`${rulePath}.from`, 'required value');
  }
  for (const [rule, index] of failover) {
    const rulePath = entry(`${path}.failover`, index);
    const from = rule['from'];
    const to = rule['to'];
    if (typeof from === 'string' && from === to) findings.error(rulePath, `failover from and to must differ (both "${from}")`);
    for (const [field, value] of [['from', from], ['to', to]] as const) {
      if (typeof value !== 'string') continue;
      if (value.includes('*')) findings.error(`${rulePath}.${field}`, 'wildcard is not supported in locality failover');
      else if (value.includes('/')) findings.error(`${rulePath}.${field}`, 'locality failover supports only regions');
    }
  }
  if ((failover.length > 0 || stringsOf(locality['failoverPriority']).length > 0) && !hasOutlierDetection) {
    findings.warn(path, 'locality failover takes effect only with outlierDetection set');
  }
}

function checkLoadBalancer(findings: Findings, path: string, value: unknown, hasOutlierDetection: boolean): void {
  const lb = objectAt(value);
  if (!lb) return;
  const hash = objectAt(lb['consistentHash']);
  if (hash) {
    const base = `${path}.consistentHash`;
    const cookie = objectAt(hash['httpCookie']);
    if (cookie) {
      if (!isSet(cookie['name'])) findings.error(`${base}.httpCookie.name`, 'required value');
      // Neither istiod nor the CRD bounds the cookie TTL (0 makes a session cookie): syntax only.
      checkDuration(findings, `${base}.httpCookie.ttl`, cookie['ttl'], { rule: 'syntax' });
      const names = new Set<string>();
      for (const [attribute, index] of objectsOf(cookie['attributes'])) {
        const name = attribute['name'];
        if (typeof name !== 'string' || name === '') findings.error(`${entry(`${base}.httpCookie.attributes`, index)}.name`, 'required value');
        else if (names.has(name)) findings.error(`${entry(`${base}.httpCookie.attributes`, index)}.name`, `duplicate cookie attribute "${name}"`);
        else names.add(name);
      }
    }
    const maglev = objectAt(hash['maglev']);
    const tableSize = maglev?.['tableSize'];
    if (typeof tableSize === 'number' && tableSize !== 0 && (!isPrime(tableSize) || tableSize >= 5000011)) {
      findings.error(`${base}.maglev.tableSize`, `must be a prime number below 5000011 (got ${tableSize})`);
    }
    if (hash['minimumRingSize'] !== undefined) {
      findings.warn(`${base}.minimumRingSize`, 'minimumRingSize is deprecated; use ringHash.minimumRingSize');
      if (hash['ringHash'] !== undefined || hash['maglev'] !== undefined) findings.error(`${base}.minimumRingSize`, 'cannot be set together with ringHash or maglev');
    }
  }
  const locality = objectAt(lb['localityLbSetting']);
  if (locality) checkLocality(findings, `${path}.localityLbSetting`, locality, hasOutlierDetection);
  checkDuration(findings, `${path}.warmupDurationSecs`, lb['warmupDurationSecs'], { rule: 'crd' });
  const warmup = objectAt(lb['warmup']);
  if (warmup) checkDuration(findings, `${path}.warmup.duration`, warmup['duration']);
}

function checkPolicyFields(findings: Findings, path: string, policy: Fields): void {
  const hasOutlier = objectAt(policy['outlierDetection']) !== undefined;
  checkLoadBalancer(findings, `${path}.loadBalancer`, policy['loadBalancer'], hasOutlier);
  checkConnectionPool(findings, `${path}.connectionPool`, policy['connectionPool']);
  checkOutlierDetection(findings, `${path}.outlierDetection`, policy['outlierDetection']);
  checkClientTls(findings, `${path}.tls`, policy['tls']);
}

function checkTrafficPolicy(findings: Findings, path: string, value: unknown): void {
  const policy = objectAt(value);
  if (!policy) return;
  if (!Object.values(policy).some(isSet)) findings.error(path, 'traffic policy must have at least one field');
  checkPolicyFields(findings, path, policy);
  const tunnel = objectAt(policy['tunnel']);
  if (tunnel) {
    if (objectAt(policy['proxyProtocol'])) findings.error(path, 'only one of tunnel or proxyProtocol can be set');
    const protocol = tunnel['protocol'];
    if (typeof protocol === 'string' && protocol !== '' && protocol.toUpperCase() !== 'CONNECT' && protocol.toUpperCase() !== 'POST') {
      findings.error(`${path}.tunnel.protocol`, `unsupported tunnel protocol "${protocol}" (CONNECT or POST)`);
    }
    const target = tunnel['targetHost'];
    if (typeof target === 'string' && !isIpAddress(target)) {
      const problem = fqdnProblem(target);
      if (problem) findings.error(`${path}.tunnel.targetHost`, `must be an IP address or FQDN: ${problem}`);
    }
    checkPort(findings, `${path}.tunnel.targetPort`, tunnel['targetPort']);
  }
  for (const [setting, index] of objectsOf(policy['portLevelSettings'])) {
    const settingPath = entry(`${path}.portLevelSettings`, index);
    // Istio requires the port selector but does not check its number; one outside 1..65535 never applies.
    const port = objectAt(setting['port']);
    if (!port) findings.error(`${settingPath}.port`, 'port must be specified');
    else {
      const number = typeof port['number'] === 'number' ? port['number'] : 0;
      if (number < 1 || number > 65535) findings.warn(`${settingPath}.port.number`, `port ${number} is not in 1..65535: this setting applies to no port`);
    }
    if (!POLICY_FIELDS.some((field) => isSet(setting[field]))) findings.error(settingPath, 'port traffic policy must have at least one field');
    checkPolicyFields(findings, settingPath, setting);
  }
}

export function checkDestinationRule({ spec, namespace, findings }: KindContext): void {
  const host = spec['host'];
  if (typeof host === 'string') {
    const problem = wildcardDomainProblem(host);
    if (problem) findings.error('spec.host', problem);
  }
  checkTrafficPolicy(findings, 'spec.trafficPolicy', spec['trafficPolicy']);
  const names = new Set<string>();
  (Array.isArray(spec['subsets']) ? spec['subsets'] : []).forEach((subset, index) => {
    const path = entry('spec.subsets', index);
    const fields = objectAt(subset);
    if (!fields) {
      findings.error(path, 'subset must not be null');
      return;
    }
    const name = fields['name'];
    if (typeof name === 'string') {
      if (!isDns1123Label(name)) findings.error(`${path}.name`, `subset name "${name}" is invalid (must be a DNS-1123 label)`);
      if (names.has(name)) findings.error(`${path}.name`, `duplicate subset name "${name}"`);
      names.add(name);
    }
    checkLabels(findings, `${path}.labels`, fields['labels']);
    checkTrafficPolicy(findings, `${path}.trafficPolicy`, fields['trafficPolicy']);
  });
  checkExportTo(findings, 'spec.exportTo', spec['exportTo'], { namespace, allowNone: false });
  const selector = objectAt(spec['workloadSelector']);
  if (selector) {
    checkSelectorLabels(findings, 'spec.workloadSelector.matchLabels', selector['matchLabels'], {
      warnEmpty: 'workload selector without labels applies to every workload in the namespace',
    });
    const exportTo = stringsOf(spec['exportTo']);
    if (exportTo.some((target) => target !== '.' && target !== namespace)) {
      findings.error('spec.exportTo', 'a DestinationRule with workloadSelector can only be exported to its own namespace (".")');
    }
  }
}
