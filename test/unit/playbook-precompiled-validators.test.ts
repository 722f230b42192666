// The validators generated at build time (ajv standalone) must judge module arguments
// exactly as validators compiled at run time: same verdict, same defaults filled in, same
// errors, for every module, on arguments that are empty, wrong in each property, or valid.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/modules/index.js';
import { VALIDATOR_OPTIONS } from '../../src/playbook/validate-args.js';
import { precompiledValidatorsSource } from '../../src/playbook/validator-source.js';
import { repoRoot } from '../helpers/cli.js';

// Under node_modules so the generated file's imports of ajv's runtime resolve.
const dir = path.join(repoRoot, 'node_modules/.cache/rackplay-test');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WRONG: unknown[] = [{}, [], 12.5, 'text', true, null];

function samples(schema: Record<string, unknown>): Record<string, unknown>[] {
  const props = Object.keys((schema.properties as object) ?? {});
  const out: Record<string, unknown>[] = [{}];
  props.forEach((p, i) => out.push({ [p]: WRONG[i % WRONG.length] }, { [p]: WRONG[(i + 1) % WRONG.length] }));
  out.push({ no_such_argument: 1 });
  return out;
}

const verdict = (v: ValidateFunction, args: Record<string, unknown>) => {
  const data = structuredClone(args);
  const ok = v(data);
  return { ok, data, errors: (v.errors ?? []).map((e) => ({ keyword: e.keyword, instancePath: e.instancePath, params: e.params, message: e.message, schema: e.schema })) };
};

describe('build-time module argument validators', () => {
  it('judge every module\'s arguments as run-time compiled ones do', async () => {
    const registry = defaultRegistry();
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `precompiled-${process.pid}.mjs`);
    writeFileSync(file, precompiledValidatorsSource(registry.modules()));
    const { precompiledValidators } = (await import(pathToFileURL(file).href)) as { precompiledValidators: Record<string, { schema: string; validate: ValidateFunction }> };
    const ajv = new Ajv(VALIDATOR_OPTIONS);
    expect(Object.keys(precompiledValidators).sort()).toEqual(registry.modules().map((d) => d.name).sort());
    let compared = 0;
    for (const def of registry.modules()) {
      const pre = precompiledValidators[def.name];
      expect(pre.schema).toBe(JSON.stringify(def.schema));
      const runtime = ajv.compile(def.schema);
      for (const args of samples(def.schema)) {
        expect(verdict(pre.validate, args), `${def.name} ${JSON.stringify(args)}`).toEqual(verdict(runtime, args));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });
});
