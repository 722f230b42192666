// `rackplay schema`: the editor schemas accept what the loader accepts and reject its
// classic mistakes, for the module set the runner really has.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runSchemaCommand } from '../../src/cli/schema-command.js';
import { buildEditorSchemas, SCHEMA_FILES } from '../../src/output/editor-schemas.js';
import { defaultRegistry } from '../../src/modules/index.js';
import { repoRoot } from './report-helpers.js';

const fx = (p: string) => path.join(repoRoot, 'test/fixtures', p);
const yamlOf = (p: string) => parse(readFileSync(fx(p), 'utf8'), { version: '1.1', logLevel: 'error' }) as unknown;

const schemas = buildEditorSchemas();
const ajv = new Ajv({ allErrors: true, strict: false });
const playbook = ajv.compile(schemas.playbook);
const tasks = ajv.compile(schemas.tasks);
const inventory = ajv.compile(schemas.inventory);

describe('editor schemas', () => {
  it('are valid draft-07 schemas (ajv strict mode compiles them)', () => {
    // strictRequired is off: an alias group's `required` names properties declared one level up.
    const strict = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
    for (const s of Object.values(buildEditorSchemas())) expect(() => strict.compile(s)).not.toThrow();
  });

  it('accept the playbooks the runner runs', () => {
    for (const p of ['compare/site.yml', 'compare/features.yml', 'drift/site.yml', 'playbooks/good/site.yml']) {
      const ok = playbook(yamlOf(p));
      expect({ p, errors: ok ? null : playbook.errors?.slice(0, 3) }).toEqual({ p, errors: null });
    }
  });

  it('accept role and included task files', () => {
    const files = ['compare/roles/motd/tasks/main.yml', 'compare/roles/motd/handlers/main.yml', 'compare/tasks/included.yml', 'drift/roles/app/tasks/main.yml'];
    for (const dir of ['playbooks/good/tasks']) for (const f of readdirSync(fx(dir))) if (f.endsWith('.yml')) files.push(`${dir}/${f}`);
    for (const p of files) {
      const ok = tasks(yamlOf(p));
      expect({ p, errors: ok ? null : tasks.errors?.slice(0, 3) }).toEqual({ p, errors: null });
    }
  });

  it('reject a misspelt module, argument or keyword, as the loader does', () => {
    for (const p of ['bad-inputs/module-typo/playbook.yml', 'bad-inputs/unknown-argument/playbook.yml', 'bad-inputs/task-keyword-typo/playbook.yml', 'bad-inputs/play-without-hosts/playbook.yml']) {
      expect({ p, ok: playbook(yamlOf(p)) }).toEqual({ p, ok: false });
    }
  });

  it('take every module of the registry under its short, FQCN and alias names, with its arguments', () => {
    const task = (schemas.tasks.definitions as Record<string, { properties: Record<string, unknown> }>).task!;
    for (const def of defaultRegistry().modules()) {
      expect(task.properties[def.name]).toBeDefined();
      if (!def.name.includes('.')) expect(task.properties[`ansible.builtin.${def.name}`]).toBeDefined();
    }
    expect(tasks([{ 'ansible.builtin.copy': { dest: '/x', content: 'y', mode: '0644' } }])).toBe(true);
    // An argument alias (file's `dest` for `path`) and a templated boolean are fine.
    expect(tasks([{ file: { dest: '/x', state: 'directory', follow: '{{ f }}' } }])).toBe(true);
    // A non-template string where a boolean goes is not.
    expect(tasks([{ copy: { dest: '/x', content: 'y', backup: 'sometimes' } }])).toBe(false);
    expect(tasks([{ copy: { content: 'y' } }])).toBe(false);
    expect(tasks([{ command: 'ls -l', args: { chdir: '/tmp' }, register: 'out', changed_when: false }])).toBe(true);
    expect(tasks([{ name: 'b', block: [{ debug: { msg: 'x' } }], rescue: [{ fail: { msg: 'y' } }] }])).toBe(true);
  });

  it('accept YAML inventories and reject the shapes the inventory loader rejects', () => {
    expect(inventory(yamlOf('inventory/nested/hosts.yml'))).toBe(true);
    expect(inventory(yamlOf('inventory/patterns/hosts.yml'))).toBe(true);
    expect(inventory(yamlOf('inventory/bad/hosts-list.yml'))).toBe(false);
    expect(inventory(yamlOf('inventory/bad/host-vars-scalar.yml'))).toBe(false);
  });

  it('rackplay schema --out DIR writes the three files', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'schemas-'));
    let out = '';
    const code = await runSchemaCommand(['--out', dir], { out: (s) => (out += s), err: (s) => (out += s) });
    expect(code).toBe(0);
    for (const f of Object.values(SCHEMA_FILES)) {
      expect(out).toContain(path.join(dir, f));
      const written = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
      expect(written.$schema).toBe('http://json-schema.org/draft-07/schema#');
    }
    expect(out).toContain('# yaml-language-server: $schema=');
    let err = '';
    expect(await runSchemaCommand(['--bogus'], { out: () => undefined, err: (s) => (err += s) })).toBe(2);
    expect(err).toContain("ERROR! unknown option '--bogus'");
  });
});
