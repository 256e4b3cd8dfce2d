// Parsing and checking rule files (`rules/<id>.yaml`) against the rule meta-schema. Pure: takes the
// text, returns the rule or a problem naming the file and the field.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import jsyaml from 'js-yaml';
import type { RuleDefinition } from './rule.js';
import type { Severity } from '../types.js';

export const RULE_META_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'severity', 'title', 'message', 'remediation', 'docs', 'targetKinds'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
    severity: { enum: ['error', 'warning', 'info'] },
    title: { type: 'string', minLength: 1 },
    message: { type: 'string', minLength: 1 },
    remediation: { type: 'string', minLength: 1 },
    docs: { type: 'string', pattern: '^https?://' },
    targetKinds: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    istioCode: { anyOf: [{ type: 'string', pattern: '^IST[0-9]{4}$' }, { type: 'null' }] },
    check: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
    match: {
      type: 'object',
      additionalProperties: false,
      required: ['when', 'schema'],
      properties: {
        on: { enum: ['object', 'podSpec'] },
        when: { enum: ['matches', 'fails'] },
        path: { type: 'string' },
        schema: { type: 'object' },
      },
    },
  },
  oneOf: [{ required: ['check'] }, { required: ['match'] }],
} as const;

export class RuleFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: invalid rule file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RuleFileError';
  }
}

let metaValidator: ValidateFunction | undefined;

function describe(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'additionalProperties') {
    const key = (error.params as { additionalProperty: string }).additionalProperty;
    return `${path ? `${path}.` : ''}${key}: unknown field`;
  }
  if (error.keyword === 'required') {
    const key = (error.params as { missingProperty: string }).missingProperty;
    return `${path ? `${path}.` : ''}${key}: required field is missing`;
  }
  if (error.keyword === 'oneOf') return 'a rule needs exactly one of `check` (a rule in code) or `match` (a JSON Schema)';
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return `${path}: must be one of ${allowed}`;
  }
  return `${path || '<root>'}: ${error.message ?? 'invalid'}`;
}

/** Reads one rule file. Throws RuleFileError naming the file and each bad field. */
export function parseRuleFile(text: string, file: string): RuleDefinition {
  let value: unknown;
  try {
    // js-yaml, as for manifests (src/k8s/yaml.ts): several times faster to load and to parse than `yaml`.
    value = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
  } catch (error) {
    throw new RuleFileError(file, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  // Our own schema (a test checks it against the JSON Schema meta-schema): not checked at every start.
  metaValidator ??= new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile(RULE_META_SCHEMA);
  if (!metaValidator(value)) {
    const problems = (metaValidator.errors ?? []).filter((e) => e.keyword !== 'if').map(describe);
    // oneOf reports the branch errors too; keep the one sentence that explains it.
    const oneOf = problems.find((p) => p.startsWith('a rule needs exactly one'));
    const rest = problems.filter((p) => !/^(check|match): required field is missing$/.test(p));
    throw new RuleFileError(file, oneOf ? [...new Set(rest)] : [...new Set(problems)]);
  }
  const raw = value as {
    id: string; severity: Severity; title: string; message: string; remediation: string; docs: string;
    targetKinds: string[]; istioCode?: string | null; check?: string;
    match?: { on?: 'object' | 'podSpec'; when: 'matches' | 'fails'; path?: string; schema: Record<string, unknown> };
  };
  const base = file.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
  if (base !== raw.id) throw new RuleFileError(file, [`id: "${raw.id}" must match the file name "${base}"`]);
  return {
    id: raw.id,
    severity: raw.severity,
    title: raw.title.trim(),
    message: raw.message.trim(),
    remediation: raw.remediation.trim(),
    docs: raw.docs,
    targetKinds: raw.targetKinds,
    istioCode: raw.istioCode ?? null,
    file,
    ...(raw.check !== undefined ? { check: raw.check } : {}),
    ...(raw.match !== undefined
      ? { match: { on: raw.match.on ?? 'object', when: raw.match.when, path: raw.match.path ?? '', schema: raw.match.schema } }
      : {}),
  };
}
