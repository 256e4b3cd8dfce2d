// kubectl-style flags as the commands read them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { booleanFlag, parseArgs, stringFlag, stringFlags, UsageError, type FlagSpec } from '../../src/cli/args.js';

const FLAGS: FlagSpec[] = [
  { name: 'filename', short: 'f', type: 'string', repeatable: true, description: 'input' },
  { name: 'output', short: 'o', type: 'string', choices: ['yaml', 'json'], description: 'format' },
  { name: 'namespace', short: 'n', type: 'string', description: 'namespace' },
  { name: 'explain', type: 'boolean', description: 'explain' },
];

describe('parseArgs', () => {
  it('reads every spelling kubectl accepts', () => {
    const args = parseArgs(['-f', 'a.yaml', '--filename=b.yaml', '-f=c.yaml', '-ojson', '-nshop', '--explain', 'extra'], FLAGS);
    assert.deepEqual(stringFlags(args, 'filename'), ['a.yaml', 'b.yaml', 'c.yaml']);
    assert.equal(stringFlag(args, 'output'), 'json');
    assert.equal(stringFlag(args, 'namespace'), 'shop');
    assert.equal(booleanFlag(args, 'explain'), true);
    assert.deepEqual(args.positionals, ['extra']);
  });

  it('takes - as a value (stdin) and --explain=false', () => {
    const args = parseArgs(['-f', '-', '--explain=false'], FLAGS);
    assert.deepEqual(stringFlags(args, 'filename'), ['-']);
    assert.equal(booleanFlag(args, 'explain', true), false);
  });

  const mistakes: Array<[string[], RegExp]> = [
    [['--fliename', 'x'], /unknown flag: --fliename/],
    [['-o'], /flag --output needs a value/],
    [['-opdf'], /--output: unsupported value "pdf" \(allowed: yaml, json\)/],
    [['-o', 'yaml', '-o', 'json'], /flag --output given more than once/],
    [['--explain=maybe'], /--explain: expected true or false/],
  ];
  for (const [argv, message] of mistakes) {
    it(`refuses ${argv.join(' ')} with a usage error`, () => {
      assert.throws(() => parseArgs(argv, FLAGS), (error: unknown) => error instanceof UsageError && message.test(error.message));
    });
  }
});
