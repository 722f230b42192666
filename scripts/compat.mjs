// npm run compat [-- TARGET...] [--tool ansible] [--jobs N] [--timeout S] [--update] [--if-available]
//
// Runs ansible-core's own integration targets with rackplay standing in for
// ansible-playbook, as `ansible-test integration --local` runs them: a role target as the
// play ansible-test writes, a runme.sh target with an `ansible-playbook` shim first on
// PATH. Each target runs in its own copy of the targets folder, with a timeout and a log
// (.cache/compat/logs/TARGET.log). Prints a table and the pass count, writes
// docs/compat.md for a full run, and fails when a target listed in
// test/compat/passing.txt (the ratchet) no longer passes. --update adds newly passing
// targets to the ratchet. --tool ansible runs Debian's ansible-playbook instead, to check
// the harness itself. --if-available skips (exit 0, one line) when there is no snapshot.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classify, extractTargets, findSnapshot, loadSelection, targetAliases, targetNames } from './compat-targets.mjs';
import { writeCompatDoc } from './compat-doc.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ratchetFile = path.join(repoRoot, 'test/compat/passing.txt');
const logDir = path.join(repoRoot, '.cache/compat/logs');

function parseArgs(argv) {
  const o = { targets: [], tool: 'rackplay', jobs: 2, timeoutS: 180, update: false, ifAvailable: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tool') o.tool = argv[++i];
    else if (a === '--jobs') o.jobs = Math.max(1, Number(argv[++i]));
    else if (a === '--timeout') o.timeoutS = Number(argv[++i]);
    else if (a === '--update') o.update = true;
    else if (a === '--if-available') o.ifAvailable = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else o.targets.push(a);
  }
  return o;
}

/** PATH shims: ansible-playbook is the tool under test; the other Ansible commands are not rackplay's. */
function writeShims(dir, tool) {
  mkdirSync(dir, { recursive: true });
  const node = process.execPath;
  const bin = path.join(repoRoot, 'bin/rackplay.js');
  const shim = (name, body) => {
    writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(dir, name), 0o755);
  };
  // ansible-test's `source virtualenv.sh`: a fresh venv that sees the system's Python
  // packages (Ansible's controller dependencies, such as passlib, come from Debian here)
  writeFileSync(
    path.join(dir, 'virtualenv.sh'),
    'venv="${OUTPUT_DIR:-$(mktemp -d)}/venv"\nrm -rf "$venv"\n/usr/bin/python3 -m venv --system-site-packages "$venv"\nset +ux\n. "$venv/bin/activate"\nset -ux\n',
  );
  // ansible-test's `python` is the controller's, with Ansible importable (runme helpers
  // such as the pexpect drivers import ansible.module_utils): Debian's python3
  if (existsSync('/usr/bin/python3')) shim('python', 'exec /usr/bin/python3 "$@"');
  if (tool === 'rackplay') {
    shim('ansible-playbook', `exec "${node}" "${bin}" "$@"`);
    shim('ansible-vault', `exec "${node}" "${bin}" vault "$@"`);
    shim('ansible', `exec "${node}" "${bin}" adhoc "$@"`);
    for (const name of ['ansible-inventory', 'ansible-config', 'ansible-doc', 'ansible-galaxy', 'ansible-console', 'ansible-pull']) {
      shim(name, `echo "compat: ${name} is not part of rackplay" >&2\nexit 127`);
    }
  }
}

const isolate = process.getuid?.() === 0 && spawnSync('unshare', ['--version'], { stdio: 'ignore' }).status === 0;

/** ansible-test's controller inventory, with the controller's python3 as ansible-test names its own. */
function inventoryText() {
  const python = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'python3')).find((p) => path.isAbsolute(p) && existsSync(p));
  return `[testgroup]\ntesthost ansible_connection=local ansible_pipelining=yes${python ? ` ansible_python_interpreter=${python}` : ''}\n`;
}

/** The play ansible-test writes for a role target. */
function rolePlay(name, aliases, outputDir) {
  const gather = !aliases.includes('gather_facts/no/');
  return JSON.stringify([{ hosts: 'testhost', gather_facts: gather, vars: { output_dir: outputDir }, roles: [name] }], null, 2);
}

function runOne(name, cache, o, shimDir) {
  const work = mkdtempSync(path.join(os.tmpdir(), `compat-${name}-`));
  // the layout of an ansible-core checkout, as ansible-test runs in it: some targets look for
  // .../test/integration/targets/NAME in paths they print, and at ../../inventory
  const base = path.join(work, 'test/integration');
  const targets = path.join(base, 'targets');
  cpSync(cache, targets, { recursive: true });
  // The setup roles ansible-test would provide, written for rackplay.
  const ours = path.join(repoRoot, 'test/compat/roles');
  for (const r of readdirSync(ours)) {
    rmSync(path.join(targets, r), { recursive: true, force: true });
    cpSync(path.join(ours, r), path.join(targets, r), { recursive: true });
  }
  writeFileSync(path.join(base, 'inventory'), inventoryText());
  const outputDir = path.join(work, 'output');
  mkdirSync(outputDir);
  const dir = path.join(targets, name);
  const aliases = existsSync(path.join(dir, 'aliases')) ? readFileSync(path.join(dir, 'aliases'), 'utf8') : '';
  const env = {
    ...process.env,
    PATH: `${shimDir}:${process.env.PATH}`,
    OUTPUT_DIR: outputDir,
    INVENTORY_PATH: path.join(base, 'inventory'),
    // targets driven through a terminal (pexpect) read Ansible's default output, not the live view
    RACKPLAY_PLAIN: '1',
    ANSIBLE_ROLES_PATH: targets,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    NO_COLOR: '1',
    // ansible-test runs everything under a UTF-8 locale.
    LC_ALL: 'C.UTF-8',
    LANG: 'C.UTF-8',
  };
  let cmd;
  let args;
  let cwd;
  if (existsSync(path.join(dir, 'runme.sh'))) {
    cmd = 'bash';
    args = ['./runme.sh'];
    cwd = dir;
    env.ANSIBLE_PLAYBOOK_DIR = dir;
  } else {
    const play = path.join(base, `${name}-play.yml`);
    writeFileSync(play, rolePlay(name, aliases, outputDir));
    cmd = 'ansible-playbook';
    args = [path.basename(play), '-i', 'inventory'];
    cwd = base;
    env.ANSIBLE_PLAYBOOK_DIR = base;
  }
  // As root, targets that add users and groups would change this machine: each runs with
  // throwaway copies of /etc, /home and /var/mail in a mount namespace of its own.
  if (isolate) {
    args = [cmd, ...args];
    cmd = path.join(repoRoot, 'scripts/compat-isolate.sh');
  }
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (b) => (log += b));
    child.stderr.on('data', (b) => (log += b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, o.timeoutS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      writeFileSync(path.join(logDir, `${name}.log`), log);
      rmSync(work, { recursive: true, force: true });
      const pass = code === 0 && !timedOut;
      resolve({ name, pass, seconds: (Date.now() - started) / 1000, firstError: pass ? '' : timedOut ? `timed out after ${o.timeoutS} s` : firstError(log.split(`${work}/`).join(''), code) });
    });
  });
}

/** The line that says what went wrong, for the table: the last failure no ignore_errors forgave. */
function firstError(log, code) {
  const lines = log.split('\n');
  // A forgiven failure is followed by "...ignoring" before the next task or result starts.
  const ignored = (i) => {
    for (let j = i + 1; j < lines.length; j++) {
      if (lines[j].startsWith('...ignoring')) return true;
      if (/^(TASK|PLAY|RUNNING HANDLER|ok:|changed:|skipping:|fatal:|failed:)/.test(lines[j])) return false;
    }
    return false;
  };
  const failing = lines.filter((l, i) => /^(ERROR!|fatal: |failed: )|FAILED!|Traceback|compat: /.test(l) && !ignored(i));
  const pick = failing.at(-1) ?? lines.reverse().find((l) => l.trim() && !l.startsWith('+')) ?? '';
  return `${pick.trim().slice(0, 220)} (exit ${code})`;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const selection = loadSelection(repoRoot);
  const gitDir = o.ifAvailable && process.env.CI ? undefined : findSnapshot(repoRoot);
  if (!gitDir) {
    const line = o.ifAvailable && process.env.CI
      ? 'compat: skipped in CI: ansible-core\'s targets are not in the repository (run npm run compat with a snapshot, see docs/compat.md)'
      : 'compat: skipped: no ansible-core snapshot (set RACKPLAY_ANSIBLE_GIT to a clone of ansible/ansible, see docs/compat.md)';
    console.log(line);
    process.exit(o.ifAvailable ? 0 : 1);
  }
  const cache = extractTargets(repoRoot, gitDir, selection.ref);
  const all = classify(selection, targetNames(gitDir, selection.ref), (name) => targetAliases(cache, name));
  const hiddenSelected = all.filter((t) => !t.selected && selection.selected.includes(t.name)).map((t) => t.name);
  if (hiddenSelected.length && !o.targets.length) console.log(`compat: not run, hidden targets (ansible-test runs them only from another target): ${hiddenSelected.join(', ')}`);
  const wanted = o.targets.length ? o.targets : all.filter((t) => t.selected).map((t) => t.name);
  const unknown = wanted.filter((t) => !all.some((a) => a.name === t));
  if (unknown.length) throw new Error(`no such target in ${selection.ref}: ${unknown.join(', ')}`);
  mkdirSync(logDir, { recursive: true });
  const shimDir = path.join(repoRoot, '.cache/compat/shims', o.tool);
  writeShims(shimDir, o.tool);

  const results = [];
  const queue = [...wanted];
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      const r = await runOne(name, cache, o, shimDir);
      results.push(r);
      console.log(`${r.pass ? 'pass' : 'FAIL'}  ${name.padEnd(36)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.firstError}`);
    }
  };
  await Promise.all(Array.from({ length: o.jobs }, worker));
  results.sort((a, b) => a.name.localeCompare(b.name));
  const passed = results.filter((r) => r.pass).length;
  console.log(`\ncompat (${o.tool}, ansible-core ${selection.ref}): ${passed} of ${results.length} selected targets pass`);

  const ratchet = existsSync(ratchetFile) ? readFileSync(ratchetFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) : [];
  const regressed = results.filter((r) => !r.pass && ratchet.includes(r.name)).map((r) => r.name);
  if (o.tool === 'rackplay' && !o.targets.length) {
    writeCompatDoc(repoRoot, { ref: selection.ref, all, results });
    if (o.update) {
      const keep = [...new Set([...ratchet, ...results.filter((r) => r.pass).map((r) => r.name)])].sort();
      writeFileSync(ratchetFile, `# Targets that pass under rackplay (npm run compat fails when one stops passing).\n${keep.join('\n')}\n`);
    }
  }
  if (regressed.length) {
    console.log(`compat: ${regressed.length} target(s) in test/compat/passing.txt no longer pass: ${regressed.join(', ')}`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(`compat: ${e.message}`);
  process.exit(1);
});
