// npm run roles-compat [-- ROLE...] [--doc] [--converge] [--converge-ansible] [--skip-compare]
//
// Runs the public roles listed in test/compat/public-roles.json unchanged, each through its
// own molecule converge playbook, with rackplay and with Debian's ansible-playbook side by
// side, and compares what a user sees:
//   syntax      `--syntax-check`: same exit code and the same output lines
//   list-tasks  `--list-tasks`: same exit code and the same output lines
//   converge    (--converge, after `npm run build`, as root) the play on a fresh Debian lab
//               host, then once more: the first run's recap and the re-run's changed count
//               (scripts/roles-converge.mjs); --converge-ansible does the same with
//               ansible-playbook on another fresh host (alone: ansible-playbook only)
// The roles are not part of this repository: they are extracted from git snapshots
// ($RACKPLAY_ROLES_MIRROR/<owner>+<name>/repo, else the tool library's mirror beside the
// checkout) at the listed commits into the git-ignored .cache/public-roles/. Without a
// snapshot a role is reported as unavailable, never as passing. --doc rewrites the public
// roles section of docs/compat.md and stores the results in the roles file (merged by role:
// a run of some roles or phases keeps the others' last results).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePublicRolesSection } from './public-roles-doc.mjs';
import { convergeRole, haveBuild, prepareDebs } from './roles-converge.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rolesFile = path.join(repoRoot, 'test/compat/public-roles.json');
const cacheDir = path.join(repoRoot, '.cache/public-roles');
const rackplayBin = path.join(repoRoot, 'bin/rackplay.js');

function snapshotDir(repo) {
  const base = process.env.RACKPLAY_ROLES_MIRROR ?? path.resolve(repoRoot, '../.mirror');
  const dir = path.join(base, repo.replace('/', '+'), 'repo');
  return existsSync(dir) ? dir : undefined;
}

/** The role at its commit, as a project: converge.yml beside roles/<name>/ and a one-host inventory. */
function extractRole(role, playbook) {
  const gitDir = snapshotDir(role.repo);
  if (!gitDir) return undefined;
  const dir = path.join(cacheDir, `${role.name}@${role.commit.slice(0, 12)}`);
  const stamp = path.join(dir, '.extracted');
  if (existsSync(stamp)) return dir;
  rmSync(dir, { recursive: true, force: true });
  const roleDir = path.join(dir, 'roles', role.name);
  mkdirSync(roleDir, { recursive: true });
  const archive = spawnSync('git', ['--git-dir', gitDir, 'archive', '--format=tar', role.commit], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${role.repo}@${role.commit} failed: ${archive.stderr}`);
  const untar = spawnSync('tar', ['-x', '-C', roleDir], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  cpSync(path.join(roleDir, playbook), path.join(dir, 'converge.yml'));
  writeFileSync(path.join(dir, 'inventory.ini'), 'debian1 ansible_connection=local\n');
  writeFileSync(stamp, `${role.commit}\n`);
  return dir;
}

function runTool(tool, dir, args) {
  const [cmd, pre] = tool === 'ansible' ? ['ansible-playbook', []] : [process.execPath, [rackplayBin]];
  const r = spawnSync(cmd, [...pre, '-i', 'inventory.ini', 'converge.yml', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0', NO_COLOR: '1', ANSIBLE_ROLES_PATH: path.join(dir, 'roles') },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, lines: (r.stdout ?? '').split('\n').map((l) => l.trimEnd()).filter((l) => l !== '') };
}

/** Compares one phase; returns undefined when both tools agree, else the first difference. */
function comparePhase(dir, args) {
  const ours = runTool('rackplay', dir, args);
  const theirs = runTool('ansible', dir, args);
  if (ours.code !== theirs.code) return `exit ${ours.code}, ansible-playbook ${theirs.code}`;
  const n = Math.max(ours.lines.length, theirs.lines.length);
  for (let i = 0; i < n; i++) {
    if (ours.lines[i] !== theirs.lines[i]) return `line ${i + 1}: ${JSON.stringify(ours.lines[i] ?? '')} vs ${JSON.stringify(theirs.lines[i] ?? '')}`;
  }
  return undefined;
}

const PHASES = [
  ['syntax', ['--syntax-check']],
  ['list-tasks', ['--list-tasks']],
];

async function main(argv) {
  const doc = argv.includes('--doc');
  const converge = argv.includes('--converge');
  const convergeAnsible = argv.includes('--converge-ansible');
  const only = argv.filter((a) => !a.startsWith('--'));
  const spec = JSON.parse(readFileSync(rolesFile, 'utf8'));
  if (spawnSync('ansible-playbook', ['--version']).status !== 0) {
    console.log('roles-compat: ansible-playbook is not installed (apt-get install ansible); nothing compared');
    return 0;
  }
  const results = [];
  const selected = spec.roles.filter((r) => only.length === 0 || only.includes(r.name));
  const debsDir = path.join(cacheDir, 'debs');
  if (converge || convergeAnsible) {
    if (!haveBuild(repoRoot)) {
      console.log('roles-compat: --converge needs `npm run build` first (the lab is compiled into dist/)');
      return 2;
    }
    const pkgs = await prepareDebs(repoRoot, selected, debsDir);
    console.log(`roles-compat: local apt repository ${debsDir} (for ${pkgs.join(' ')})`);
  }
  for (const role of selected) {
    const dir = extractRole(role, spec.playbook);
    const result = { name: role.name };
    if (!dir) {
      result.unavailable = `no snapshot of ${role.repo}`;
    } else {
      // --skip-compare: converge only (the stored --doc results keep the phases' last answers)
      if (!argv.includes('--skip-compare')) for (const [phase, args] of PHASES) result[phase] = comparePhase(dir, args) ?? 'same';
      const logDir = path.join(cacheDir, 'logs');
      if (converge) result.converge = await convergeRole('rackplay', repoRoot, role, dir, debsDir, logDir);
      if (convergeAnsible) result.convergeAnsible = await convergeRole('ansible', repoRoot, role, dir, debsDir, logDir);
    }
    results.push(result);
    const cells = result.unavailable ? [result.unavailable] : PHASES.filter(([p]) => result[p]).map(([p]) => `${p}: ${result[p]}`);
    const recap = (c) => (c ? `rc=${c.rc} changed=${c.recap?.changed ?? '?'} failed=${c.recap?.failed ?? '?'}, re-run changed=${c.rerun.recap?.changed ?? '?'}${c.failure ? ` (${c.failure.slice(0, 120)})` : ''}` : undefined);
    if (result.converge) cells.push(`converge: ${recap(result.converge)}`);
    if (result.convergeAnsible) cells.push(`ansible-playbook: ${recap(result.convergeAnsible)}`);
    console.log(`${role.name.padEnd(24)} ${cells.join('  |  ')}`);
  }
  const same = results.filter((r) => !r.unavailable && PHASES.every(([p]) => r[p] === 'same')).length;
  if (!argv.includes('--skip-compare')) console.log(`\nroles-compat: ${same} of ${results.length} roles give ansible-playbook's answer to --syntax-check and --list-tasks`);
  if (converge) {
    const idem = results.filter((r) => r.converge?.rc === 0 && r.converge.rerun.rc === 0 && r.converge.rerun.recap?.changed === 0).length;
    console.log(`roles-compat: ${idem} of ${results.length} roles converge under rackplay and re-run with changed=0`);
  }
  if (doc) {
    const old = new Map((spec.results ?? []).map((r) => [r.name, r]));
    for (const r of results) old.set(r.name, { ...old.get(r.name), ...r });
    spec.results = spec.roles.map((r) => old.get(r.name)).filter(Boolean);
    writeFileSync(rolesFile, JSON.stringify(spec, null, 2) + '\n');
    writePublicRolesSection(repoRoot);
  }
  const differs = results.some((r) => !r.unavailable && PHASES.some(([p]) => r[p] !== undefined && r[p] !== 'same'));
  return differs ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
