// Role argument specs and validate_argument_spec: rackplay's validator against the
// messages Ansible's ArgumentSpecValidator gives for the same spec and parameters (run
// from Debian's ansible-core when it is installed), and fixed expectations that need
// nothing else. Each valid case validated again with its own converted parameters gives
// no error (the finished state is stable).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { validateArgumentSpec, type ArgumentSpec } from '../../src/modules/argument-spec.js';

const PY = '/usr/bin/python3';
const haveAnsibleCore = spawnSync(PY, ['-c', 'import ansible.module_utils.common.arg_spec'], { stdio: 'ignore' }).status === 0;

/** Ansible's own error messages for a batch of cases, in one Python run. */
function ansibleErrors(cases: Case[]): string[][] {
  const script = [
    'import json, sys',
    'from ansible.module_utils.common.arg_spec import ArgumentSpecValidator',
    'out = []',
    'for spec, params in json.load(sys.stdin):',
    '    out.append(ArgumentSpecValidator(spec).validate(params).error_messages)',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify(cases.map((c) => [c.spec, c.params])), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[][];
}

interface Case {
  name: string;
  spec: ArgumentSpec;
  params: Record<string, unknown>;
  errors: string[];
}

const cases: Case[] = [
  { name: 'all valid, with conversions', spec: { a: { type: 'int' }, b: { type: 'bool' }, c: { type: 'list', elements: 'int' }, d: { type: 'str' } }, params: { a: '42', b: 'yes', c: '1,2', d: 5 }, errors: [] },
  { name: 'missing required, sorted', spec: { z: { required: true }, a: { required: true, type: 'int' }, m: {} }, params: {}, errors: ['missing required arguments: a, z'] },
  {
    name: 'type errors name the Python class',
    spec: { i: { type: 'int' }, f: { type: 'float' }, l: { type: 'list' }, d: { type: 'dict' }, b: { type: 'bool' } },
    params: { i: 'x', f: 'nope', l: { k: 1 }, d: ['a'], b: 7 },
    errors: [
      "argument 'i' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int",
      "argument 'f' is of type <class 'str'> and we were unable to convert to float: <class 'str'> cannot be converted to a float",
      "argument 'l' is of type <class 'dict'> and we were unable to convert to list: <class 'dict'> cannot be converted to a list",
      "argument 'd' is of type <class 'list'> and we were unable to convert to dict: <class 'list'> cannot be converted to a dict",
      "argument 'b' is of type <class 'int'> and we were unable to convert to bool: The value '7' is not a valid boolean.  Valid booleans include: 0, 't', 1, 'off', 'y', 'no', '0', 'on', 'n', 'yes', 'true', '1', 'f', 'false'",
    ],
  },
  { name: 'choices', spec: { c: { choices: ['a', 'b'] }, l: { type: 'list', choices: ['x', 'y'] } }, params: { c: 'q', l: ['x', 'z'] }, errors: ['value of c must be one of: a, b, got: q', 'value of l must be one or more of: x, y. Got no match for: z'] },
  { name: 'unsupported, with aliases listed', spec: { name: { aliases: ['n', 'nm'] }, other: {} }, params: { nme: 1, zz: 2 }, errors: ['nme, zz. Supported parameters include: name, other (n, nm).'] },
  { name: 'aliases fill their option', spec: { name: { aliases: ['n'], required: true } }, params: { n: 'x' }, errors: [] },
  { name: 'elements', spec: { l: { type: 'list', elements: 'int' } }, params: { l: ['1', 'x'] }, errors: ["Elements value for option 'l' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int"] },
  { name: 'dict from key=value and JSON text', spec: { a: { type: 'dict' }, b: { type: 'dict' }, c: { type: 'dict' } }, params: { a: 'x=1 y="a b"', b: '{"k": [1]}', c: 'plain' }, errors: ["argument 'c' is of type <class 'str'> and we were unable to convert to dict: dictionary requested, could not parse JSON or key=value"] },
  {
    name: 'nested options: required, types, unsupported, defaults',
    spec: { top: { type: 'dict', options: { mid: { type: 'dict', options: { leaf: { type: 'int', required: true } } }, flag: { type: 'bool', default: true } } } },
    params: { top: { mid: { bad: 1 }, flag: 'maybe' } },
    errors: [
      "argument 'flag' is of type <class 'str'> found in 'top'. and we were unable to convert to bool: The value 'maybe' is not a valid boolean.  Valid booleans include: 0, 't', 1, 'off', 'y', 'no', '0', 'on', 'n', 'yes', 'true', '1', 'f', 'false'",
      'missing required arguments: leaf found in top -> mid',
      'top.mid.bad. Supported parameters include: leaf.',
    ],
  },
  { name: 'a string where suboptions are wanted', spec: { o: { type: 'dict', options: { s: {} } } }, params: { o: 'not-a-dict' }, errors: ['dictionary requested, could not parse JSON or key=value', "argument 'o' is of type <class 'str'> and we were unable to convert to dict: dictionary requested, could not parse JSON or key=value", "value of 'o' must be of type dict or list of dicts"] },
  {
    name: 'list of dicts with suboption constraints',
    spec: { users: { type: 'list', elements: 'dict', options: { name: { required: true }, uid: { type: 'int' }, gid: { type: 'int' } }, mutually_exclusive: [['uid', 'gid']], required_one_of: [['uid', 'gid']] } as ArgumentSpec[string] },
    params: { users: [{ name: 'a', uid: 1, gid: 2 }, { name: 'b' }, { uid: '3' }] },
    errors: ['parameters are mutually exclusive: uid|gid found in users', 'one of the following is required: uid, gid found in users', 'missing required arguments: name found in users'],
  },
  { name: 'bytes and bits', spec: { m: { type: 'bytes' }, n: { type: 'bits' }, o: { type: 'bytes' } }, params: { m: '2K', n: '1Mb', o: 'lots' }, errors: ["argument 'o' is of type <class 'str'> and we were unable to convert to bytes: <class 'str'> cannot be converted to a Byte value"] },
  { name: 'jsonarg, path and raw', spec: { j: { type: 'jsonarg' }, p: { type: 'path' }, r: { type: 'raw' } }, params: { j: { a: [1] }, p: '/srv/x', r: { any: ['thing'] } }, errors: [] },
  { name: 'an unknown type', spec: { x: { type: 'frobnicate' } }, params: { x: 1 }, errors: ["argument 'x' is of type <class 'int'> and we were unable to convert to frobnicate: 'NoneType' object is not callable"] },
];

describe('argument spec validation', () => {
  for (const c of cases) {
    it(c.name, () => {
      const out = validateArgumentSpec(c.spec, c.params);
      expect(out.errors).toEqual(c.errors);
      if (!c.errors.length) expect(validateArgumentSpec(c.spec, out.parameters).errors).toEqual([]);
    });
  }

  it('converts values and fills defaults', () => {
    const spec: ArgumentSpec = { n: { type: 'int' }, l: { type: 'list', elements: 'int' }, d: { default: 'dflt' }, o: { type: 'dict', apply_defaults: true, options: { x: { default: 1 } } } };
    expect(validateArgumentSpec(spec, { n: '7', l: '1,2' }).parameters).toEqual({ n: 7, l: [1, 2], d: 'dflt', o: { x: '1' } }); // a default is converted too: no type is str
  });

  it.skipIf(!haveAnsibleCore)('gives the messages of Ansible\'s own ArgumentSpecValidator (skipped: no ansible-core for /usr/bin/python3)', () => {
    // Python lists its set of boolean words in hash order, which changes from run to run
    const unordered = (errors: string[]) => errors.map((e) => e.replace(/Valid booleans include: .*$/, ''));
    const theirs = ansibleErrors(cases);
    cases.forEach((c, i) => expect([c.name, unordered(validateArgumentSpec(c.spec, c.params).errors)]).toEqual([c.name, unordered(theirs[i])]));
  });
});
