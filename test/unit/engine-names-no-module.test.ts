// The engine knows modules by their declared traits (src/modules/types.ts ModuleTraits),
// never by name: no module name or alias appears as a string in src/engine.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/modules/index.js';
import { repoRoot } from '../helpers/cli.js';

const engineDir = path.join(repoRoot, 'src/engine');

describe('the engine names no module', () => {
  const names = defaultRegistry().names();
  const sources = readdirSync(engineDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: f, text: readFileSync(path.join(engineDir, f), 'utf8') }));

  it('sees the modules and the engine files it checks', () => {
    expect(names).toContain('meta');
    expect(names).toContain('ansible.builtin.add_host');
    expect(sources.length).toBeGreaterThan(10);
  });

  it('has no module name as a string literal in src/engine', () => {
    const found: string[] = [];
    for (const { file, text } of sources) {
      // Comments may name modules as examples; code may not.
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
      for (const n of names) if (new RegExp(`['"\`]${n.replace(/\./g, '\\.')}['"\`]`).test(code)) found.push(`${file}: '${n}'`);
    }
    expect(found).toEqual([]);
  });
});
