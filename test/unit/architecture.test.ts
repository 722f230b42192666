// The layering of src/: imports flow one way, cli -> engine -> the rest (inventory,
// playbook, template, transport, facts, modules, output, vault and the top-level files),
// and nothing imports itself back in a cycle. Checked on the import graph madge builds
// from the TypeScript sources, type-only and dynamic imports included.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error madge ships no type declarations
import madge from 'madge';
import { beforeAll, describe, expect, it } from 'vitest';

interface MadgeResult {
  obj(): Record<string, string[]>;
  circular(): string[][];
  warnings(): { skipped: string[] };
}

const repo = fileURLToPath(new URL('../..', import.meta.url));
const src = path.join(repo, 'src');

/** The top directory of a file under src/; the top-level files (errors.ts, shlex.ts...) share one room. */
const room = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '(top)');

let graph: Record<string, string[]>;
let result: MadgeResult;
beforeAll(async () => {
  result = (await madge(src, {
    fileExtensions: ['ts'],
    tsConfig: path.join(repo, 'tsconfig.json'),
    detectiveOptions: { ts: { skipTypeImports: false, skipAsyncImports: false } },
  })) as MadgeResult;
  graph = result.obj();
}, 60_000);

/** Every import `from -> to` where `to` lies in one of `rooms` and `from` is in none of `allowedFrom`. */
function importsInto(rooms: string[], allowedFrom: string[]): string[] {
  const out: string[] = [];
  for (const [from, deps] of Object.entries(graph)) {
    if (allowedFrom.includes(room(from))) continue;
    for (const to of deps) if (rooms.includes(room(to))) out.push(`${from} -> ${to}`);
  }
  return out.sort();
}

describe('src/ import graph', () => {
  it('covers every source file and resolves every import', () => {
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(Object.keys(graph).sort()).toEqual(files.sort());
    // An import madge cannot resolve would silently drop an edge.
    expect(result.warnings().skipped).toEqual([]);
    // Edges a broken resolution would lose: a dynamic import and a type-only one.
    expect(graph['cli/main.ts']).toContain('cli/run-command.ts');
    expect(graph['vault/secrets.ts']).toContain('vault/vault.ts');
  });

  it('has no circular import', () => {
    expect(result.circular()).toEqual([]);
  });

  it('nothing outside src/cli imports src/cli', () => {
    expect(importsInto(['cli'], ['cli'])).toEqual([]);
  });

  it('nothing outside src/cli and src/engine imports src/engine', () => {
    expect(importsInto(['engine'], ['cli', 'engine'])).toEqual([]);
  });
});
