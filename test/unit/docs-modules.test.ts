// docs/modules.md must match what the registry's schemas say.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/modules/index.js';
import { moduleReferenceDocument } from '../../src/modules/reference.js';
import { repoRoot } from '../helpers/cli.js';

describe('module reference', () => {
  const file = path.join(repoRoot, 'docs/modules.md');
  const registry = defaultRegistry();
  const doc = moduleReferenceDocument(registry);

  it('documents every module and every argument', () => {
    for (const def of registry.modules()) {
      expect(doc).toContain(`## ${def.name}\n`);
      for (const arg of Object.keys((def.schema.properties as object) ?? {})) {
        if (!arg.startsWith('_')) expect(doc).toContain(`| \`${arg}\` |`);
      }
    }
  });

  it('no module schema relies on a JSON schema `format` (argument validation loads no format checks)', () => {
    const withFormat = registry.modules().filter((def) => /"format":"/.test(JSON.stringify(def.schema)));
    expect(withFormat.map((d) => d.name)).toEqual([]);
  });

  it('docs/modules.md is up to date', () => {
    if (process.env.UPDATE_DOCS) writeFileSync(file, doc);
    expect(readFileSync(file, 'utf8')).toBe(doc);
  });
});
