// Bundles the CLI (dist/src/cli/main.js, compiled by tsc) into one CommonJS file,
// dist/bundle/rackplay.cjs, for start-up time: unbundled, Node resolves, reads and links
// about 140 of our modules and a few hundred of our dependencies' on every run. CommonJS
// because bin/rackplay.js compiles it with a V8 code cache (vm.Script cachedData), which
// Node 20 offers for scripts but not for ES modules. ssh2 stays external: it loads its
// optional native crypto binding from its own directory.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(repo, 'dist/bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(repo, 'dist/src/cli/main.js')],
  outfile: path.join(outdir, 'rackplay.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'cpu-features'],
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: [path.join(repo, 'scripts/import-meta-url-shim.mjs')],
  logLevel: 'warning',
});
