// The error code table (issue 12): every code is unique and has a factory, every
// factory builds an error of its class carrying its code, and real loader failures
// carry the expected code with a file:line:col position.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EXIT,
  LOAD_CODES,
  LoadError,
  TASK_CODES,
  TaskError,
  UserError,
  type LoadErrorFactory,
  type TaskErrorFactory,
} from '../../src/errors.js';
import * as inputFactories from '../../src/errors/load-errors-input.js';
import * as playbookFactories from '../../src/errors/load-errors-playbook.js';
import * as playFactories from '../../src/errors/load-errors-play.js';
import * as taskFactories from '../../src/errors/task-errors.js';
import { loadInventory } from '../../src/inventory/index.js';
import { loadPlaybook } from '../../src/playbook/index.js';
import { testRegistry } from '../fixtures/playbooks/test-registry.js';
import { fixture } from './inventory-helpers.js';

const loadFactories = { ...playbookFactories, ...inputFactories, ...playFactories } as Record<string, LoadErrorFactory<unknown[]>>;
const taskFactoryList = taskFactories as Record<string, TaskErrorFactory<unknown[]>>;

// An array renders in a template literal like a string, and also has .map/.join,
// so it serves as every argument of every message.
const sampleArgs = (n: number) => Array.from({ length: n }, (_, i) => [`v${i}`]);

describe('the code table', () => {
  it('holds unique codes, load and task codes apart', () => {
    const load = Object.keys(LOAD_CODES);
    const task = Object.keys(TASK_CODES);
    expect(new Set(load).size).toBe(load.length);
    expect(load.filter((c) => task.includes(c))).toEqual([]);
    for (const code of [...load, ...task]) expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  it('gives every load code a factory and an exit kind', () => {
    const covered = new Set(Object.values(loadFactories).map((f) => f.code));
    expect(Object.keys(LOAD_CODES).filter((c) => !covered.has(c as keyof typeof LOAD_CODES))).toEqual([]);
    for (const entry of Object.values(LOAD_CODES)) expect(['parse', 'options', 'error']).toContain(entry.kind);
  });

  it('gives every task code a factory', () => {
    const covered = new Set(Object.values(taskFactoryList).map((f) => f.code));
    expect(Object.keys(TASK_CODES).filter((c) => !covered.has(c as keyof typeof TASK_CODES))).toEqual([]);
  });
});

describe('factories', () => {
  const pos = { file: '/x/site.yml', line: 3, col: 5 };

  it.each(Object.entries(loadFactories))('%s builds a LoadError with its code', (name, make) => {
    expect(name).toMatch(/^err[A-Z]/);
    const err = make(...sampleArgs(make.arity), { pos, hint: 'h' });
    expect(err).toBeInstanceOf(LoadError);
    // the CLI and code owned by others still catch UserError
    expect(err).toBeInstanceOf(UserError);
    expect(err.code).toBe(make.code);
    expect(err.kind).toBe(LOAD_CODES[make.code].kind);
    expect(err.exitCode).toBe({ parse: EXIT.parse, options: EXIT.badOptions, error: EXIT.error }[err.kind]);
    expect(err.pos).toEqual(pos);
    expect(err.hint).toBe('h');
    // every value reaches the message, and nothing renders as an object
    for (let i = 0; i < make.arity; i++) expect(err.message).toContain(`v${i}`);
    expect(err.message).not.toMatch(/\[object /);
    expect(err.message.length).toBeGreaterThan(0);
  });

  it.each(Object.entries(taskFactoryList))('%s builds a TaskError with its code', (_name, make) => {
    const err = make(...sampleArgs(make.arity), { pos, result: { rc: 2 } });
    expect(err).toBeInstanceOf(TaskError);
    // a TaskError fails one task; it must not be mistaken for a load error that ends the run
    expect(err).not.toBeInstanceOf(UserError);
    expect(err.code).toBe(make.code);
    expect(err.result).toEqual({ rc: 2 });
    expect(err.message).toContain('v0');
  });

  it('keep the message texts that tests and users know', () => {
    expect(playbookFactories.errUnknownModule('lineinfle', {}).message).toBe(
      "couldn't resolve module/action 'lineinfle'. This often indicates a misspelling, missing collection, or incorrect module path.",
    );
    expect(playbookFactories.errInvalidKeyword('taks', 'a Play', {}).message).toBe("'taks' is not a valid attribute for a Play");
    expect(inputFactories.errVaultDecrypt('', {}).message).toBe('Decryption failed (no vault secrets were found that could decrypt)');
    expect(inputFactories.errVaultDecrypt('x.yml', {}).message).toBe('Decryption failed (no vault secrets were found that could decrypt) on x.yml');
  });
});

async function failure(p: Promise<unknown>): Promise<LoadError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LoadError);
  return err as LoadError;
}

describe('real loader failures carry their code and position', () => {
  const badInputs = path.resolve('test/fixtures/bad-inputs');
  const playbookCases: [string, string, number][] = [
    ['yaml-syntax-error', 'YAML_SYNTAX', 5],
    ['module-typo', 'UNKNOWN_MODULE', 4],
    ['missing-role', 'ROLE_NOT_FOUND', 4],
    ['play-without-hosts', 'MISSING_KEYWORD', 1],
    ['unknown-play-keyword', 'INVALID_KEYWORD', 2],
    ['role-dependency-cycle', 'ROLE_CYCLE', 2],
    ['import-missing-file', 'FILE_NOT_FOUND', 4],
    ['unbalanced-kv-quotes', 'ARGS_SYNTAX', 3],
  ];
  it.each(playbookCases)('playbook %s is %s', async (dir, code, line) => {
    const err = await failure(loadPlaybook(path.join(badInputs, dir, 'playbook.yml'), { registry: testRegistry(), rolesPath: [] }));
    expect(err.code).toBe(code);
    expect(err.exitCode).toBe(4);
    expect(err.pos?.file.startsWith(path.join(badInputs, dir))).toBe(true);
    expect(err.pos?.line).toBe(line);
    expect(err.pos?.col).toBeGreaterThanOrEqual(1);
  });

  const inventoryCases: [string, string, number, number][] = [
    ['bad-section.ini', 'INVENTORY_PARSE', 3, 1],
    ['bad-yaml.yml', 'YAML_SYNTAX', 4, 4],
    ['circular.ini', 'INVENTORY_CYCLE', 8, 1],
    ['bad-range.ini', 'BAD_HOST_PATTERN', 2, 4],
  ];
  it.each(inventoryCases)('inventory %s is %s', async (file, code, line, col) => {
    const err = await failure(loadInventory([fixture('bad', file)]));
    expect(err.code).toBe(code);
    expect(err.pos).toEqual({ file: fixture('bad', file), line, col });
  });

  it('a missing inventory source is INVENTORY_NOT_FOUND, a bad option (exit 5)', async () => {
    const err = await failure(loadInventory([fixture('bad', 'does-not-exist')]));
    expect(err.code).toBe('INVENTORY_NOT_FOUND');
    expect(err.exitCode).toBe(5);
  });
});
