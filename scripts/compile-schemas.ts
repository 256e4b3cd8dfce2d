// Part of `npm run build`: writes the validator of every mesh kind's schema as code beside the compiled
// schema module (dist/src/validate/compiled/), so that no run compiles a schema (src/validate/schema.ts
// looks a validator up by the hash of its schema and compiles the schema itself when none is found).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MESH_KINDS } from '../src/validate/kinds.js';
import { compiledValidatorSource } from '../src/validate/schema.js';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'src', 'validate', 'compiled');
mkdirSync(out, { recursive: true });
const written = new Set<string>();
for (const { kind, schema } of MESH_KINDS) {
  const { file, source } = compiledValidatorSource(schema);
  writeFileSync(join(out, file), `// ${kind}: written by scripts/compile-schemas.ts from src/validate/schemas.\n${source}\n`);
  written.add(file);
}
// Validators of earlier versions of the schemas would never be found again; they are removed.
for (const file of readdirSync(out)) if (!written.has(file)) rmSync(join(out, file));
console.log(`compile-schemas: ${written.size} validators in ${out}`);
