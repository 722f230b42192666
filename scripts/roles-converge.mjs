// The converge stage of `npm run roles-compat -- --converge` (scripts/roles-compat.mjs):
// each role's molecule converge playbook, run for real on a fresh `role-host` lab host
// (test/lab/flavors/role-host.ts: real systemd, its own dpkg/apt state and network
// namespace) and then run again; what matters is that the first run succeeds and the
// second reports changed=0. The packages come from a local repository of real Debian
// .debs, downloaded here on the controller (never by the lab host, which has no route out)
// into the git-ignored .cache/public-roles/debs and indexed with dpkg-scanpackages.
// Needs `npm run build` (the lab is compiled into dist/) and root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';

const RECAP = /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)/;

/** Downloads the roles' packages (and what they need that the lab host lacks) and indexes them. */
export async function prepareDebs(repoRoot, roles, debsDir) {
  const pkgs = [...new Set(roles.flatMap((r) => [...(r.debs ?? []), ...(r.absent ?? [])]))].sort();
  mkdirSync(path.join(debsDir, 'partial'), { recursive: true });
  if (pkgs.length > 0) {
    // The lab host's dpkg state is a copy of this machine's, so what apt-get would fetch
    // here is exactly what the host misses; --reinstall also fetches the named packages this
    // machine has (a role's `absent` ones). Packages already in debsDir are not fetched again.
    const r = spawnSync('apt-get', ['install', '--reinstall', '--download-only', '-y', '-q', '-o', `Dir::Cache::archives=${debsDir}`, ...pkgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`apt-get --download-only ${pkgs.join(' ')} failed (${r.status}): ${r.stderr}`);
  }
  const { indexAptRepo } = await import(pathToFileURL(path.join(repoRoot, 'dist/test/lab/flavors/role-host.js')).href);
  await indexAptRepo(debsDir);
  return pkgs;
}

function parseRecap(lines) {
  for (const l of lines) {
    const m = RECAP.exec(l);
    if (m) return { ok: +m[2], changed: +m[3], unreachable: +m[4], failed: +m[5], skipped: +m[6], rescued: +m[7], ignored: +m[8] };
  }
  return undefined;
}

/** The first failure's task and message, shortened, for the doc. */
function firstFailure(lines) {
  let task = '';
  for (const l of lines) {
    if (l.startsWith('TASK [')) task = l.replace(/^TASK \[(.*)\].*$/, '$1');
    if (/^(fatal|failed): \[/.test(l)) return `${task}: ${l.replace(/^\S+ \[[^\]]*\]( => \([^)]*\))?: /, '').slice(0, 300)}`;
  }
  return undefined;
}

function runPlay(tool, repoRoot, dir, lab, varsFile, logFile) {
  const rackplay = path.join(repoRoot, 'bin/rackplay.js');
  const [cmd, pre] = tool === 'ansible' ? ['ansible-playbook', []] : [process.execPath, [rackplay]];
  const extra = varsFile ? ['-e', `@${varsFile}`] : [];
  const r = spawnSync(cmd, [...pre, '-i', lab.inventoryPath, 'converge.yml', ...extra], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0', NO_COLOR: '1', ANSIBLE_ROLES_PATH: path.join(dir, 'roles'), ANSIBLE_HOST_KEY_CHECKING: 'True' },
    timeout: 1_800_000,
    maxBuffer: 1 << 28,
  });
  writeFileSync(logFile, `${r.stdout ?? ''}\n--- stderr ---\n${r.stderr ?? ''}`);
  const lines = (r.stdout ?? '').split('\n').map((l) => l.trimEnd());
  return { rc: r.status ?? -1, recap: parseRecap(lines), failure: firstFailure(lines) };
}

/**
 * Converges one role twice on a fresh role host with one tool; returns
 * { rc, recap, failure?, rerun: { rc, recap, failure? } }.
 */
export async function convergeRole(tool, repoRoot, role, dir, debsDir, logDir) {
  const { startLab } = await import(pathToFileURL(path.join(repoRoot, 'dist/test/lab/lab.js')).href);
  mkdirSync(logDir, { recursive: true });
  let varsFile;
  if (role.labVars) {
    varsFile = path.join(dir, 'lab-vars.yml');
    writeFileSync(varsFile, stringify(role.labVars));
  }
  const lab = await startLab({ count: 1, flavor: 'role-host', dir: path.join(path.dirname(dir), 'lab'), namePrefix: 'debian', aptRepo: debsDir });
  try {
    // packages this machine has, and so the host's copy of its dpkg state: removed first,
    // so that the role installs them as on a fresh Debian (apt-get's lock file dates the
    // lists directory, which cache_valid_time reads: back to the image's date)
    if (role.absent?.length) {
      const r = spawnSync('ssh', ['-F', lab.sshConfigPath, lab.hosts[0].name, `DEBIAN_FRONTEND=noninteractive apt-get remove -y -q ${role.absent.join(' ')} && touch -d 2024-01-01T00:00:00Z /var/lib/apt/lists`], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`removing ${role.absent.join(' ')} on the fresh host failed: ${r.stderr}`);
    }
    const base = path.join(logDir, `${role.name}.${tool}`);
    const first = runPlay(tool, repoRoot, dir, lab, varsFile, `${base}.converge.log`);
    const rerun = runPlay(tool, repoRoot, dir, lab, varsFile, `${base}.rerun.log`);
    return { ...first, rerun };
  } finally {
    await lab.stop();
  }
}

export function haveBuild(repoRoot) {
  return existsSync(path.join(repoRoot, 'dist/test/lab/lab.js')) && existsSync(path.join(repoRoot, 'dist/test/lab/flavors/role-host.js'));
}
