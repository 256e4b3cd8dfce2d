// docs/configuration.md documents every configuration key, and its example is a valid configuration.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configFromText } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { repoRoot } from '../helpers/paths.js';

const doc = readFileSync(join(repoRoot, 'docs', 'configuration.md'), 'utf8');

function keysOf(schema: unknown, prefix = ''): string[] {
  const properties = (schema as { properties?: Record<string, unknown> }).properties;
  if (!properties) return [];
  return Object.entries(properties).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    // Resource lists and Istio's own documents (istio.values, istio.meshConfig) are documented as a whole.
    const nested = (child as { properties?: unknown }).properties && !['resources', 'values', 'meshConfig'].includes(key) ? keysOf(child, path) : [];
    return nested.length > 0 ? nested : [path];
  });
}

describe('docs/configuration.md', () => {
  it('has a row for every key of the schema', () => {
    const missing = keysOf(configSchema).filter((key) => !doc.includes(`| \`${key}\` |`));
    assert.deepEqual(missing, []);
  });

  it('its example loads', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc);
    assert.ok(example);
    const config = configFromText(example[1]!, 'docs example');
    assert.equal(config.revision, 'canary');
    assert.equal(config.interception.cni, true);
  });
});
