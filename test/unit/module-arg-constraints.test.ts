// Ansible's argument_spec constraints (mutually_exclusive, required_one_of,
// required_together, required_if) declared on a module and checked by validate-args, with
// Ansible's messages, when the task runs (not when the playbook loads).
import { describe, expect, it } from 'vitest';
import { lineinfileModule } from '../../src/modules/lineinfile.js';
import { serviceModule } from '../../src/modules/service.js';
import { ModuleFailure, defineModule, type AnyModuleDef } from '../../src/modules/types.js';
import { validateModuleArgs } from '../../src/playbook/validate-args.js';

const pos = { file: 't.yml', line: 1, col: 1 };
const atRun = (def: AnyModuleDef, args: Record<string, unknown>) => () => validateModuleArgs(def, args, pos, { rendered: true });
const atLoad = (def: AnyModuleDef, args: Record<string, unknown>) => () => validateModuleArgs(def, args, pos, { rendered: false });

const demo = defineModule<{ a?: string; b?: string; c?: string; mode: string }>({
  name: 'demo',
  summary: 'constraints only',
  checkMode: 'run',
  schema: {
    type: 'object',
    properties: { a: { type: 'string' }, b: { type: 'string' }, c: { type: 'string' }, mode: { type: 'string', default: 'x' } },
    additionalProperties: false,
  },
  constraints: {
    required_together: [['a', 'b']],
    required_if: [
      ['mode', 'y', ['a', 'c']],
      ['mode', 'z', ['b', 'c'], true],
    ],
  },
  async run() {
    return { changed: false };
  },
});

function failure(f: () => unknown): ModuleFailure | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ModuleFailure) return e;
    throw e;
  }
  return undefined;
}

describe('argument constraints', () => {
  it('mutually_exclusive lists every broken group, as Ansible does', () => {
    expect(failure(atRun(lineinfileModule, { path: '/f', insertafter: 'a', insertbefore: 'b' }))?.message).toBe('parameters are mutually exclusive: insertbefore|insertafter');
    expect(failure(atRun(lineinfileModule, { path: '/f', line: 'x', insertafter: 'a', insertbefore: 'b', regexp: 'r', search_string: 's' }))?.message).toBe(
      'parameters are mutually exclusive: insertbefore|insertafter, regexp|search_string',
    );
    // a given false still counts as given (Ansible counts the key)
    expect(failure(atRun(lineinfileModule, { path: '/f', backrefs: false, search_string: 's' }))?.message).toBe('parameters are mutually exclusive: backrefs|search_string');
    // a default does not: backrefs defaults to false
    expect(failure(atRun(lineinfileModule, { path: '/f', line: 'x', search_string: 's' }))).toBeUndefined();
  });

  it('required_one_of', () => {
    expect(failure(atRun(serviceModule, { name: 'httpd' }))?.result()).toEqual({ changed: false, failed: true, msg: 'one of the following is required: state, enabled' });
    expect(failure(atRun(serviceModule, { name: 'httpd', enabled: true }))).toBeUndefined();
  });

  it('required_together', () => {
    expect(failure(atRun(demo, { a: '1' }))?.message).toBe('parameters are required together: a, b');
    expect(failure(atRun(demo, { a: '1', b: '2' }))).toBeUndefined();
  });

  it('required_if, all or any of the requirements, compared after defaults', () => {
    expect(failure(atRun(demo, { mode: 'y', c: '1' }))?.message).toBe('mode is y but all of the following are missing: a');
    expect(failure(atRun(demo, { mode: 'z' }))?.message).toBe('mode is z but any of the following are missing: b, c');
    expect(failure(atRun(demo, { mode: 'z', c: '1' }))).toBeUndefined();
    expect(failure(atRun(demo, {}))).toBeUndefined();
  });

  it('is not checked while the playbook loads: a task that never runs does not fail', () => {
    expect(atLoad(lineinfileModule, { path: '/f', insertafter: 'a', insertbefore: 'b' })).not.toThrow();
    expect(atLoad(serviceModule, { name: 'httpd' })).not.toThrow();
  });
});
