// Gateway semantics (reference 1.3 ValidateGateway).
import { checkPort, checkSelectorLabels, isDns1123Label, isHttpProtocol, isIpAddress, parseProtocol, PROTOCOLS } from './fields.js';
import { namespacedHostProblem } from './hosts.js';
import { entry, isSet, objectAt, objectsOf, stringsOf } from './read.js';
import { checkServerTls } from './tls.js';
import type { KindContext } from './types.js';

export function checkGateway({ spec, name, findings }: KindContext): void {
  if (name !== undefined && !isDns1123Label(name)) findings.error('metadata.name', `invalid gateway name "${name}" (must be a DNS-1123 label)`);
  const servers = objectsOf(spec['servers']);
  if (servers.length === 0) findings.error('spec.servers', 'gateway must have at least one server');
  const portNames = new Map<string, number>();
  for (const [server, index] of servers) {
    const path = entry('spec.servers', index);
    const hosts = stringsOf(server['hosts']);
    if (hosts.length === 0) findings.error(`${path}.hosts`, 'server config must contain at least one host');
    hosts.forEach((host, h) => {
      const problem = namespacedHostProblem(host, { namespaceOptional: true, allowTilde: false, allowIp: true });
      if (problem) findings.error(entry(`${path}.hosts`, h), problem);
    });
    const port = objectAt(server['port']);
    const bind = server['bind'];
    const unixBind = typeof bind === 'string' && bind.startsWith('unix://');
    let protocol: ReturnType<typeof parseProtocol>;
    if (port) {
      const portPath = `${path}.port`;
      checkPort(findings, `${portPath}.number`, port['number'], { allowZero: unixBind });
      const rawProtocol = port['protocol'];
      if (typeof rawProtocol !== 'string' || rawProtocol === '') findings.error(`${portPath}.protocol`, 'required value');
      else {
        protocol = parseProtocol(rawProtocol);
        if (!protocol) findings.error(`${portPath}.protocol`, `invalid protocol "${rawProtocol}", supported protocols are ${PROTOCOLS.join(', ')}`);
      }
      const portName = port['name'];
      if (typeof portName !== 'string' || portName === '') findings.error(`${portPath}.name`, 'port name must be set');
      else {
        const first = portNames.get(portName);
        if (first !== undefined) findings.error(`${portPath}.name`, `port names in servers must be unique: "${portName}" is also used by spec.servers[${first}]`);
        else portNames.set(portName, index);
      }
      if (port['targetPort'] !== undefined) findings.error(`${portPath}.targetPort`, 'targetPort has no effect on Gateways and is not allowed');
    }
    if (typeof bind === 'string' && bind !== '' && !unixBind && !isIpAddress(bind)) findings.error(`${path}.bind`, `bind "${bind}" must be an IP address or a unix:// socket`);
    const tls = objectAt(server['tls']);
    const terminatesTls = protocol === 'HTTPS' || protocol === 'TLS';
    if (terminatesTls && !tls) findings.error(`${path}.tls`, `server must have TLS settings for ${protocol} protocol`);
    if (tls && protocol !== undefined && !terminatesTls) {
      // On a plain-text port only a passthrough-mode block (for httpsRedirect) makes sense.
      const mode = tls['mode'] ?? 'PASSTHROUGH';
      const passthrough = mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH';
      const certificates = ['caCertificates', 'privateKey', 'serverCertificate'].some((field) => isSet(tls[field]));
      if (!isHttpProtocol(protocol)) findings.error(`${path}.tls`, `server cannot have TLS settings for non HTTPS/TLS ports (protocol ${protocol})`);
      else if (!passthrough || certificates) findings.error(`${path}.tls`, 'server cannot have TLS settings for plain text HTTP ports (only httpsRedirect)');
    }
    if (tls) {
      if (tls['httpsRedirect'] === true && protocol !== undefined && protocol !== 'HTTP') {
        findings.warn(`${path}.tls.httpsRedirect`, `httpsRedirect only has an effect on HTTP servers (this one is ${protocol})`);
      }
      if (terminatesTls) checkServerTls(findings, `${path}.tls`, tls);
    }
  }
  checkSelectorLabels(findings, 'spec.selector', spec['selector']);
}
