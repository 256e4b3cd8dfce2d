// The analyzer benchmark's baseline, run as a fresh process: reads and parses the YAML of a directory
// as `meshgate analyze -f DIR` does, and nothing else. `node parse-child.js DIR`
import { loadObjects } from '../src/k8s/files.js';

const [dir] = process.argv.slice(2);
const parsed = await loadObjects([dir!]);
if (parsed.errors.length > 0) throw new Error(`${dir}: ${parsed.errors.length} input error(s): ${parsed.errors[0]!.message}`);
