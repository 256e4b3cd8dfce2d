#!/usr/bin/env node
// Entry point of the `meshgate` binary.
import { run } from './main.js';

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }).then((code) => {
  process.exitCode = code;
});
