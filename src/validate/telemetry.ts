// Telemetry semantics (reference 1.3 Telemetry).
import { checkDuration } from './fields.js';
import { checkPolicySelection } from './policy.js';
import { entry, isSet, objectAt, objectsOf, type Fields } from './read.js';
import type { Findings, KindContext } from './types.js';

function checkProviders(findings: Findings, path: string, value: unknown): number {
  const providers = objectsOf(value);
  for (const [provider, index] of providers) {
    if (!isSet(provider['name'])) findings.error(`${entry(path, index)}.name`, 'provider name must not be empty');
  }
  return providers.length;
}

function checkTracing(findings: Findings, path: string, tracing: Fields): void {
  if (checkProviders(findings, `${path}.providers`, tracing['providers']) > 1) {
    findings.warn(`${path}.providers`, 'only one tracing provider is supported; the others are ignored');
  }
  const sampling = tracing['randomSamplingPercentage'];
  if (typeof sampling === 'number' && (sampling < 0 || sampling > 100)) {
    findings.error(`${path}.randomSamplingPercentage`, `must be in range [0.0, 100.0] (got ${sampling})`);
  }
  for (const [name, raw] of Object.entries(objectAt(tracing['customTags']) ?? {})) {
    const tagPath = entry(`${path}.customTags`, name);
    if (name === '') findings.error(tagPath, 'tag name must not be empty');
    const tag = objectAt(raw) ?? {};
    const literal = objectAt(tag['literal']);
    const environment = objectAt(tag['environment']);
    const header = objectAt(tag['header']);
    if (!literal && !environment && !header) findings.warn(tagPath, 'sets none of literal, environment or header: Istio adds no tag for it');
    if (literal && !isSet(literal['value'])) findings.error(`${tagPath}.literal.value`, 'literal tag value must not be empty');
    if (environment && !isSet(environment['name'])) findings.error(`${tagPath}.environment.name`, 'environment variable name must not be empty');
    if (header && !isSet(header['name'])) findings.error(`${tagPath}.header.name`, 'header name must not be empty');
  }
}

function checkMetrics(findings: Findings, path: string, metrics: Fields): void {
  checkProviders(findings, `${path}.providers`, metrics['providers']);
  // Only the CRD bounds it (at least 1ms); istiod does not check it.
  checkDuration(findings, `${path}.reportingInterval`, metrics['reportingInterval'], { rule: 'crd' });
  for (const [override, index] of objectsOf(metrics['overrides'])) {
    const overridePath = entry(`${path}.overrides`, index);
    const match = objectAt(override['match']);
    if (match && match['customMetric'] === '') findings.error(`${overridePath}.match.customMetric`, 'customMetric must not be empty');
    for (const [name, raw] of Object.entries(objectAt(override['tagOverrides']) ?? {})) {
      const tagPath = entry(`${overridePath}.tagOverrides`, name);
      if (name === '') findings.warn(tagPath, 'tag override with an empty name has no effect');
      const tag = objectAt(raw) ?? {};
      const operation = tag['operation'] ?? 'UPSERT';
      if (operation === 'UPSERT' && !isSet(tag['value'])) findings.error(`${tagPath}.value`, 'must be set when operation is UPSERT');
      if (operation === 'REMOVE' && tag['value'] !== undefined) findings.error(`${tagPath}.value`, 'must not be set when operation is REMOVE');
    }
  }
}

function checkAccessLogging(findings: Findings, path: string, logging: Fields): void {
  checkProviders(findings, `${path}.providers`, logging['providers']);
  const filter = objectAt(logging['filter']);
  if (filter && !isSet(filter['expression'])) findings.error(`${path}.filter.expression`, 'filter expression must not be empty');
}

export function checkTelemetry({ spec, findings }: KindContext): void {
  checkPolicySelection(findings, spec, { allowTargetRefs: true });
  const tracing = objectsOf(spec['tracing']);
  if (tracing.length > 1) findings.warn('spec.tracing', 'only one tracing configuration is supported; the others are ignored');
  for (const [entryValue, index] of tracing) checkTracing(findings, entry('spec.tracing', index), entryValue);
  for (const [entryValue, index] of objectsOf(spec['metrics'])) checkMetrics(findings, entry('spec.metrics', index), entryValue);
  for (const [entryValue, index] of objectsOf(spec['accessLogging'])) checkAccessLogging(findings, entry('spec.accessLogging', index), entryValue);
}
