#!/usr/bin/env node
// Loads the bundled CLI (npm run build) with a V8 code cache: compiling ~2 MB of JavaScript
// is a large part of a short run's start-up, and a cache made by an earlier run lets V8 skip
// it. The cache lives in the user's own cache directory (created 0700; a cache file that is
// not ours and private is ignored), keyed by the bundle, Node and the CPU architecture; V8
// itself rejects a cache that does not match the source, and a rejected or missing one is
// simply rewritten after the next playbook run.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../dist/bundle/rackplay.cjs');
const source = readFileSync(file, 'utf8');
const cacheFile = codeCachePath();
let cachedData;
if (cacheFile) {
  try {
    const st = statSync(cacheFile);
    if (st.uid === process.getuid?.() && (st.mode & 0o077) === 0) cachedData = readFileSync(cacheFile);
  } catch {
    /* no cache yet */
  }
}
const script = new vm.Script(Module.wrap(source), { filename: file, cachedData, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER });
if (cacheFile && (!cachedData || script.cachedDataRejected)) {
  // After a playbook run (run-command sets the flag), the cache holds the code that runs use.
  process.once('exit', () => {
    if (!globalThis[Symbol.for('rackplay.ranPlaybook')]) return;
    try {
      mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
      const tmp = `${cacheFile}.${process.pid}`;
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, cacheFile);
    } catch {
      /* an unwritable cache directory only costs speed */
    }
  });
}
const module = { exports: {} };
script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));

function codeCachePath() {
  const base = process.env.XDG_CACHE_HOME || (os.homedir() && path.join(os.homedir(), '.cache'));
  if (!base || process.env.RACKPLAY_NO_CODE_CACHE) return undefined;
  // A rebuilt bundle has another size, inode or mtime (hashing 2 MB would cost what we save).
  const st = statSync(file);
  const key = createHash('sha256').update(`${process.version} ${process.arch} ${file} ${st.size} ${st.ino} ${st.mtimeMs}`).digest('hex').slice(0, 32);
  return path.join(base, 'rackplay', `${key}.v8cache`);
}
