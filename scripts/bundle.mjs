// Bundles the CLI (dist/src/cli/main.js, compiled by tsc) into dist/bundle/ for start-up
// time: Node resolves, reads and links about 140 of our modules and a few hundred of our
// dependencies' on every run otherwise, ~0.1 s before the first host is contacted.
// `run-command` stays a separate chunk, loaded only when a playbook runs, so --version and
// --help stay light. ssh2 stays external: it loads its optional native crypto binding from
// its own directory.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(repo, 'dist/bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(repo, 'dist/src/cli/main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'cpu-features'],
  // CommonJS dependencies call require() for Node's built-ins.
  banner: { js: "import { createRequire as __rpCreateRequire } from 'node:module'; const require = __rpCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
