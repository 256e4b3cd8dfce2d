// AuthorizationPolicy semantics (reference 1.2 security helpers, 1.3 AuthorizationPolicy).
import { isIpOrCidr } from './fields.js';
import { checkPolicySelection } from './policy.js';
import { entry, isSet, listAt, objectAt, objectsOf, stringsOf, type Fields } from './read.js';
import type { Findings, KindContext } from './types.js';

const SOURCE_FIELDS = [
  'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts',
  'notServiceAccounts', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks', 'trustDomains', 'notTrustDomains',
] as const;
const OPERATION_FIELDS = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;
/** Source fields that also work for plain TCP traffic (the rest need HTTP). */
const TCP_SOURCE_FIELDS = ['principals', 'notPrincipals', 'ipBlocks', 'notIpBlocks', 'namespaces', 'notNamespaces', 'remoteIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts'] as const;
/** Identity fields an external authorizer (CUSTOM) cannot see. */
const CUSTOM_UNSUPPORTED_SOURCE_FIELDS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces'] as const;

const CONDITION_KEYS = [
  /^request\.headers\[[^\]]+\]$/,
  /^source\.ip$/,
  /^remote\.ip$/,
  /^source\.namespace$/,
  /^source\.serviceAccount$/,
  /^source\.principal$/,
  /^source\.trustDomain$/,
  /^request\.auth\.principal$/,
  /^request\.auth\.audiences$/,
  /^request\.auth\.presenter$/,
  /^request\.auth\.claims(\[[^\]]+\])+$/,
  /^destination\.ip$/,
  /^destination\.port$/,
  /^connection\.sni$/,
  /^experimental\.envoy\.filters\.[^\s]+$/,
];

const REPLACED_KEYS: Readonly<Record<string, string>> = {
  'destination.namespace': 'is not supported (the policy applies in its own namespace)',
  'destination.labels': 'is not supported; it is replaced by the workload selector (spec.selector)',
  'destination.name': 'is not supported; use the workload selector (spec.selector)',
  'destination.user': 'is not supported; use source.principal or the workload selector',
};

const CUSTOM_FORBIDDEN_KEYS = /^(source\.namespace|source\.serviceAccount|source\.principal|request\.auth\..*)$/;

function checkNoEmptyValues(findings: Findings, path: string, values: unknown): void {
  listAt(values).forEach((value, index) => {
    if (value === '') findings.error(entry(path, index), 'empty value is not allowed');
  });
}

function checkPorts(findings: Findings, path: string, values: unknown): void {
  stringsOf(values).forEach((port, index) => {
    if (port === '') return;
    if (!/^\d+$/.test(port) || Number(port) > 65535) findings.error(entry(path, index), `invalid port "${port}" (must be a number in 0..65535)`);
  });
}

/** Path templates: `{*}` is one segment, `{**}` the rest; nothing may follow `{**}` as an operator. */
function pathTemplateProblem(path: string): string | undefined {
  if (!path.includes('{') && !path.includes('}')) return undefined;
  const segments = path.split('/');
  let multi = false;
  for (const segment of segments) {
    if (!segment.includes('{') && !segment.includes('}')) continue;
    if (segment !== '{*}' && segment !== '{**}') return `invalid path template segment "${segment}" (only {*} and {**} are supported)`;
    if (multi) return '{**} must be the last operator in a path template';
    if (segment === '{**}') multi = true;
  }
  if (path.includes('*') && !/^[^*]*$/.test(path.replace(/\{\*\*?\}/g, ''))) return 'path template cannot be combined with a * prefix or suffix match';
  return undefined;
}

function checkSource(findings: Findings, path: string, source: Fields, custom: boolean): void {
  if (!SOURCE_FIELDS.some((field) => isSet(source[field]))) findings.error(path, '`from.source` must not be empty');
  for (const field of SOURCE_FIELDS) checkNoEmptyValues(findings, `${path}.${field}`, source[field]);
  if (isSet(source['serviceAccounts']) || isSet(source['notServiceAccounts'])) {
    if (['namespaces', 'notNamespaces', 'principals', 'notPrincipals'].some((field) => isSet(source[field]))) {
      findings.error(path, 'Cannot set serviceAccounts with namespaces or principals');
    }
    for (const field of ['serviceAccounts', 'notServiceAccounts'] as const) {
      const accounts = stringsOf(source[field]);
      if (accounts.length > 16) findings.error(`${path}.${field}`, `at most 16 service accounts are allowed (got ${accounts.length})`);
      accounts.forEach((account, index) => {
        const accountPath = entry(`${path}.${field}`, index);
        if (account.includes('*')) findings.error(accountPath, 'wildcard is not supported in serviceAccounts');
        else if (account.length > 320) findings.error(accountPath, 'service account is too long (max 320 characters)');
        else if (account.split('/').length > 2 || account.split('/').some((part) => part === '')) findings.error(accountPath, `"${account}" must be "name" or "namespace/name"`);
      });
    }
  }
  for (const field of ['trustDomains', 'notTrustDomains'] as const) {
    stringsOf(source[field]).forEach((domain, index) => {
      if (domain.includes('/')) findings.error(entry(`${path}.${field}`, index), `trust domain "${domain}" must not contain "/"`);
    });
  }
  for (const field of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const) {
    stringsOf(source[field]).forEach((block, index) => {
      if (block !== '' && !isIpOrCidr(block)) findings.error(entry(`${path}.${field}`, index), `"${block}" is not a valid IP address or CIDR`);
    });
  }
  if (custom) {
    for (const field of CUSTOM_UNSUPPORTED_SOURCE_FIELDS) {
      if (isSet(source[field])) findings.error(`${path}.${field}`, 'is currently not supported with action CUSTOM');
    }
  }
}

function checkOperation(findings: Findings, path: string, operation: Fields): void {
  if (!OPERATION_FIELDS.some((field) => isSet(operation[field]))) findings.error(path, '`to.operation` must not be empty');
  for (const field of OPERATION_FIELDS) checkNoEmptyValues(findings, `${path}.${field}`, operation[field]);
  checkPorts(findings, `${path}.ports`, operation['ports']);
  checkPorts(findings, `${path}.notPorts`, operation['notPorts']);
  for (const field of ['paths', 'notPaths'] as const) {
    stringsOf(operation[field]).forEach((value, index) => {
      const problem = pathTemplateProblem(value);
      if (problem) findings.error(entry(`${path}.${field}`, index), problem);
    });
  }
}

function checkCondition(findings: Findings, path: string, condition: Fields, custom: boolean): void {
  const key = typeof condition['key'] === 'string' ? condition['key'] : '';
  const attribute = key.replace(/\[.*$/, '');
  if (key === '') findings.error(`${path}.key`, 'key must not be empty');
  else if (REPLACED_KEYS[attribute]) findings.error(`${path}.key`, `${attribute} ${REPLACED_KEYS[attribute]}`);
  else if (!CONDITION_KEYS.some((pattern) => pattern.test(key))) findings.error(`${path}.key`, `unknown attribute "${key}"`);
  else if (custom && CUSTOM_FORBIDDEN_KEYS.test(key)) findings.error(`${path}.key`, `${key} is not supported with action CUSTOM`);
  const values = stringsOf(condition['values']);
  const notValues = stringsOf(condition['notValues']);
  if (values.length === 0 && notValues.length === 0) findings.error(path, 'values or notValues must be set');
  checkNoEmptyValues(findings, `${path}.values`, condition['values']);
  checkNoEmptyValues(findings, `${path}.notValues`, condition['notValues']);
  for (const [field, list] of [['values', values], ['notValues', notValues]] as const) {
    list.forEach((value, index) => {
      const valuePath = entry(`${path}.${field}`, index);
      if (value === '') return;
      if ((key === 'source.ip' || key === 'remote.ip' || key === 'destination.ip') && !isIpOrCidr(value)) findings.error(valuePath, `"${value}" is not a valid IP address or CIDR`);
      if (key === 'destination.port' && (!/^\d+$/.test(value) || Number(value) > 65535)) findings.error(valuePath, `invalid port "${value}"`);
    });
  }
}

/**
 * A DENY rule that only uses HTTP attributes cannot be evaluated on TCP connections, so Envoy denies
 * all TCP traffic in its scope (Istio's warning): sources without TCP-capable fields and no `to`, or
 * operations without ports.
 */
function deniesAllTcp(rule: Fields): boolean {
  let fromExists = false;
  let toExists = false;
  let tcpInFrom = false;
  let tcpInTo = false;
  for (const [from] of objectsOf(rule['from'])) {
    const source = objectAt(from['source']);
    if (!source) continue;
    fromExists = true;
    if (TCP_SOURCE_FIELDS.some((field) => source[field] !== undefined)) tcpInFrom = true;
  }
  for (const [to] of objectsOf(rule['to'])) {
    const operation = objectAt(to['operation']);
    if (!operation) continue;
    toExists = true;
    if (operation['ports'] !== undefined || operation['notPorts'] !== undefined) tcpInTo = true;
  }
  return (fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo);
}

export function checkAuthorizationPolicy({ spec, findings }: KindContext): void {
  checkPolicySelection(findings, spec, { allowTargetRefs: true });
  const action = typeof spec['action'] === 'string' ? spec['action'] : 'ALLOW';
  const custom = action === 'CUSTOM';
  const rules = spec['rules'];
  // `rules: []` is no rules to istiod (an empty list decodes as absent).
  const noRules = rules === undefined || (Array.isArray(rules) && rules.length === 0);
  const provider = objectAt(spec['provider']);
  if (custom) {
    if (!noRules && (!provider || !isSet(provider['name']))) findings.error('spec.provider.name', 'action CUSTOM needs provider.name');
    if (noRules) findings.error('spec.rules', 'CUSTOM action without rules is meaningless as it will never be triggered; add an empty rule {} to trigger it for every request');
  } else if (provider) findings.error('spec.provider', `provider can only be used with action CUSTOM (action is ${action})`);
  if (action === 'DENY' && noRules) {
    findings.error('spec.rules', 'DENY action without rules is meaningless as it will never be triggered; add an empty rule {} to deny every request');
  }
  listAt(rules).forEach((raw, index) => {
    const path = entry('spec.rules', index);
    const rule = objectAt(raw);
    if (!rule) {
      findings.error(path, 'rule must not be null');
      return;
    }
    // istiod reads an empty list as an absent field (protobuf has no empty-but-set list): the rule then
    // has no such condition at all, which is rarely what an explicit `[]` meant.
    for (const field of ['from', 'to', 'when'] as const) {
      if (Array.isArray(rule[field]) && (rule[field] as unknown[]).length === 0) {
        findings.warn(`${path}.${field}`, `an empty \`${field}\` list is read as no \`${field}\`: this rule sets no ${field} condition`);
      }
    }
    listAt(rule['from']).forEach((from, f) => {
      const fromPath = entry(`${path}.from`, f);
      const source = objectAt(objectAt(from)?.['source']);
      if (!source) findings.error(`${fromPath}.source`, '`from.source` must not be nil');
      else checkSource(findings, `${fromPath}.source`, source, custom);
    });
    listAt(rule['to']).forEach((to, t) => {
      const toPath = entry(`${path}.to`, t);
      const operation = objectAt(objectAt(to)?.['operation']);
      if (!operation) findings.error(`${toPath}.operation`, '`to.operation` must not be nil');
      else checkOperation(findings, `${toPath}.operation`, operation);
    });
    for (const [condition, c] of objectsOf(rule['when'])) checkCondition(findings, entry(`${path}.when`, c), condition, custom);
    if (action === 'DENY' && deniesAllTcp(rule)) {
      findings.warn(path, 'DENY rule uses only HTTP attributes: it will deny all traffic to TCP ports under its scope; set to.operation.ports to limit it');
    }
  });
}
