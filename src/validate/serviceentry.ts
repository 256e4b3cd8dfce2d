// ServiceEntry semantics (reference 1.3 ValidateServiceEntry).
import {
  checkExportTo,
  checkLabels,
  checkPort,
  checkSelectorLabels,
  fqdnProblem,
  isCidr,
  isDns1123Label,
  isIpAddress,
  isHttpProtocol,
  isIpOrCidr,
  parseProtocol,
  partialWildcardProblem,
  wildcardDomainProblem,
  type Protocol,
} from './fields.js';
import { entry, isSet, objectAt, objectsOf, stringsOf, type Fields } from './read.js';
import type { Findings, KindContext } from './types.js';

const UNIX_PREFIX = 'unix://';

/** Port list of a ServiceEntry: names and numbers unique, names DNS labels, known protocols. */
function checkPorts(findings: Findings, ports: Array<[Fields, number]>): Map<string, Protocol | undefined> {
  const byName = new Map<string, Protocol | undefined>();
  const numbers = new Set<number>();
  for (const [port, index] of ports) {
    const path = entry('spec.ports', index);
    const name = port['name'];
    const number = port['number'];
    let protocol: Protocol | undefined;
    if (typeof port['protocol'] === 'string' && port['protocol'] !== '') {
      protocol = parseProtocol(port['protocol']);
      if (!protocol) findings.error(`${path}.protocol`, `unrecognized protocol "${port['protocol']}"`);
    }
    if (typeof name === 'string' && name !== '') {
      if (!isDns1123Label(name)) findings.error(`${path}.name`, `invalid port name "${name}" (must be a DNS-1123 label)`);
      if (byName.has(name)) findings.error(`${path}.name`, `Duplicate value: port name "${name}" is used twice`);
      byName.set(name, protocol);
    } else findings.error(`${path}.name`, 'port name must be set');
    if (typeof number === 'number') {
      if (numbers.has(number)) findings.error(`${path}.number`, `port number cannot be duplicated (${number})`);
      numbers.add(number);
      checkPort(findings, `${path}.number`, number);
    }
    if (port['targetPort'] !== undefined) checkPort(findings, `${path}.targetPort`, port['targetPort']);
  }
  return byName;
}

function checkEndpointPorts(findings: Findings, path: string, endpoint: Fields, servicePorts: ReadonlyMap<string, unknown>): void {
  for (const [name, number] of Object.entries(objectAt(endpoint['ports']) ?? {})) {
    const portPath = entry(`${path}.ports`, name);
    if (!servicePorts.has(name)) findings.error(portPath, `endpoint port "${name}" is not defined by the service entry`);
    if (!isDns1123Label(name)) findings.error(portPath, `invalid port name "${name}" (must be a DNS-1123 label)`);
    checkPort(findings, portPath, number);
  }
}

export function checkServiceEntry({ spec, namespace, findings }: KindContext): void {
  const hosts = stringsOf(spec['hosts']);
  const resolution = typeof spec['resolution'] === 'string' ? spec['resolution'] : 'NONE';
  const endpoints = objectsOf(spec['endpoints']);
  const addresses = stringsOf(spec['addresses']);
  const ports = objectsOf(spec['ports']);

  hosts.forEach((host, index) => {
    const path = entry('spec.hosts', index);
    if (host === '*') {
      findings.error(path, 'hostname cannot be wildcard "*"');
      return;
    }
    const problem = wildcardDomainProblem(host);
    if (problem) findings.error(path, problem);
    else if (resolution !== 'DYNAMIC_DNS') {
      // Istio accepts partial wildcards (`*foo.example.com`) but they rarely mean what the author wants.
      const partial = partialWildcardProblem(host);
      if (partial) findings.warn(path, partial);
    }
  });

  addresses.forEach((address, index) => {
    const path = entry('spec.addresses', index);
    if (!isIpOrCidr(address)) findings.error(path, `"${address}" is not a valid IP address or CIDR`);
    else if (isCidr(address) && resolution !== 'NONE' && resolution !== 'STATIC') {
      findings.error(path, 'CIDR addresses are allowed only for NONE/STATIC resolution types');
    }
  });

  (Array.isArray(spec['ports']) ? spec['ports'] : []).forEach((port, index) => {
    if (!objectAt(port)) findings.error(entry('spec.ports', index), 'port must not be null');
  });
  const servicePorts = checkPorts(findings, ports);

  switch (resolution) {
    case 'NONE':
      if (endpoints.length > 0) findings.error('spec.endpoints', 'NONE mode cannot set endpoints');
      break;
    case 'STATIC': {
      let unix = false;
      for (const [endpoint, index] of endpoints) {
        const path = entry('spec.endpoints', index);
        const address = typeof endpoint['address'] === 'string' ? endpoint['address'] : '';
        if (address.startsWith(UNIX_PREFIX)) {
          unix = true;
          if (isSet(endpoint['ports'])) findings.error(`${path}.ports`, `unix endpoint ${address} must not include ports`);
        } else {
          if (!isIpAddress(address)) findings.error(`${path}.address`, `"${address}" is not a valid IP address (STATIC resolution)`);
          checkEndpointPorts(findings, path, endpoint, servicePorts);
        }
      }
      if (unix && ports.length !== 1) findings.error('spec.ports', 'exactly 1 service port required for unix endpoints');
      break;
    }
    case 'DNS':
    case 'DNS_ROUND_ROBIN':
      if (endpoints.length === 0) {
        // Every host is looked up in DNS: a wildcard host cannot be (Istio refuses it).
        hosts.forEach((host, index) => {
          if (host === '*' || fqdnProblem(host) === undefined) return;
          const message = `hosts must be FQDN if no endpoints are provided for resolution mode ${resolution}`;
          findings.error(entry('spec.hosts', index), host.includes('*') ? `${message}; a wildcard host resolves nothing (use resolution NONE or DYNAMIC_DNS)` : message);
        });
      }
      if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) findings.error('spec.endpoints', 'DNS_ROUND_ROBIN mode cannot have multiple endpoints');
      for (const [endpoint, index] of endpoints) {
        const path = entry('spec.endpoints', index);
        const address = typeof endpoint['address'] === 'string' ? endpoint['address'] : '';
        if (!isIpAddress(address) && fqdnProblem(address)) findings.error(`${path}.address`, `endpoint address "${address}" is not a valid FQDN or an IP address`);
        checkEndpointPorts(findings, path, endpoint, servicePorts);
      }
      break;
    case 'DYNAMIC_DNS':
      if (addresses.length > 0) findings.error('spec.addresses', 'DYNAMIC_DNS mode cannot set addresses');
      if (endpoints.length > 0) findings.error('spec.endpoints', 'DYNAMIC_DNS mode cannot set endpoints');
      for (const [port, index] of ports) {
        const protocol = typeof port['protocol'] === 'string' ? parseProtocol(port['protocol']) : undefined;
        if (!protocol || !['HTTP', 'HTTPS', 'TLS', 'GRPC', 'HTTP2'].includes(protocol)) {
          findings.error(`${entry('spec.ports', index)}.protocol`, 'DYNAMIC_DNS mode supports only HTTP, HTTPS, TLS, GRPC and HTTP2 ports');
        }
      }
      if (!isSet(spec['location'])) findings.error('spec.location', 'DYNAMIC_DNS mode needs location');
      break;
    default:
      break;
  }
  for (const [endpoint, index] of endpoints) {
    checkLabels(findings, `${entry('spec.endpoints', index)}.labels`, endpoint['labels']);
  }

  // Plain TCP cannot tell hosts apart (no authority header, no SNI) unless resolution ignores them.
  if (hosts.length > 1 && resolution !== 'NONE') {
    for (const [port, index] of ports) {
      const protocol = typeof port['protocol'] === 'string' ? parseProtocol(port['protocol']) : undefined;
      if (!isHttpProtocol(protocol) && protocol !== 'HTTPS' && protocol !== 'TLS') {
        findings.error(`${entry('spec.ports', index)}.protocol`, `multiple hosts provided with non-HTTP, non-TLS port (${protocol ?? 'protocol unset'}); use one host per ServiceEntry or resolution NONE`);
      }
    }
  }

  const selector = objectAt(spec['workloadSelector']);
  if (selector) {
    checkSelectorLabels(findings, 'spec.workloadSelector.labels', selector['labels'], {
      warnEmpty: 'workload selector without labels selects every workload in the namespace',
    });
  }
  if (addresses.length === 0 && resolution !== 'DYNAMIC_DNS') {
    for (const [port, index] of ports) {
      const protocol = typeof port['protocol'] === 'string' ? parseProtocol(port['protocol']) : undefined;
      if (protocol === undefined || protocol === 'TCP') {
        findings.warn(`${entry('spec.ports', index)}.protocol`, 'TCP (or unset) port without addresses: traffic is matched by port only unless DNS auto-allocation is enabled');
      }
    }
  }
  checkExportTo(findings, 'spec.exportTo', spec['exportTo'], { namespace, allowNone: true });
}
