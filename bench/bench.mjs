#!/usr/bin/env node
// rackplay against ansible-playbook on a lab rack of real sshd hosts, with the Xen dom0
// playbook of bench/playbook. Run `npm run build` first, as root (the lab needs it):
//
//   npm run bench -- [--hosts 1,10,50,100] [--runs 3] [--tools rackplay,ansible,ansible-tuned]
//                    [--scenarios converge,noop,check] [--ansible-scenarios converge,noop]
//                    [--ansible-max-hosts 10] [--ansible-default-max-hosts 1]
//                    [--tuned-noop-hosts 50] [--tuned-noop-runs 1]
//                    [--profile-hosts 50] [--no-floor] [--out bench/results]
//                    [--playbooks site,loops,sl44-roles] [--sl44-hosts 10,50]
// (--playbooks: bench/playbooks.mjs; the default takes those that fit 15 minutes.)
//
// The default plan has to fit the issue's 15 minutes on a 2-core machine, and Ansible is what
// costs: 3-4 s per host per run for the tuned one (~3 minutes a run at 50 hosts), where
// rackplay takes ~0.1-0.2 s. So Ansible runs only where a comparison needs it:
//   - rackplay: every host count, scenarios --scenarios, --runs rounds;
//   - ansible-tuned (forks 50, pipelining, ControlPersist): --ansible-scenarios (converge and
//     no-op) at host counts up to --ansible-max-hosts (10), --runs rounds;
//   - ansible with its default config: the same, up to --ansible-default-max-hosts (1);
//   - at --tuned-noop-hosts (50): --tuned-noop-runs (1) tuned no-op run(s), on the hosts as
//     rackplay's converge left them, since its own converge there would cost another 3 minutes
//     and a no-op re-run is the same work whoever converged: changed=0 on every host is what
//     shows the state converged, as for any no-op run.
// The bench prints its plan with an estimate of its duration before it starts.
// Where several tools run at a host count, each round runs them in turn, the order rotated
// from round to round, on hosts wiped before each tool's converge; medians are over the
// rounds. The lab, the work directory and Ansible's ControlPersist masters are removed
// however the run ends.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultPlaybooks, describePlaybook, PLAYBOOKS, playbookHosts, printPlaybooks, runPlaybooks } from './playbooks.mjs';
import { invalidReason, parseRecap } from './recap.mjs';
import { CONVERGED_BY_RACKPLAY, interpolate, runTable, sideBySide, textTable } from './tables.mjs';
import { runSlices, slicesTarget } from './slices.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => pathToFileURL(path.join(repo, 'dist', p)).href;
const playbook = path.join(repo, 'bench/playbook/site.yml');
const rackplayBin = path.join(repo, 'bin/rackplay.js');
const TIME = '/usr/bin/time';
const ALL_TOOLS = ['rackplay', 'ansible', 'ansible-tuned'];
const ALL_SCENARIOS = ['converge', 'noop', 'check'];

function parseArgs(argv) {
  const o = { slices: 0, sliceHosts: 200, hosts: [1, 10, 50, 100], runs: 3, tools: ALL_TOOLS, scenarios: ALL_SCENARIOS, ansibleScenarios: ['converge', 'noop'], ansibleMaxHosts: 10, ansibleDefaultMaxHosts: 1, tunedNoopHosts: [50], tunedNoopRuns: 1, profileHosts: 50, floor: true, out: path.join(repo, 'bench/results') };
  const given = new Set();
  const list = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);
  const int = (v, name) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) usage(`${name} must be a whole number, got '${v}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    given.add(flag);
    switch (flag) {
      case '--hosts': o.hosts = list(value()).map((v) => int(v, '--hosts')).filter((n) => n > 0); break;
      case '--runs': o.runs = Math.max(1, int(value(), '--runs')); break;
      case '--tools': o.tools = list(value()); break;
      case '--scenarios': o.scenarios = list(value()); break;
      case '--ansible-scenarios': o.ansibleScenarios = list(value()); break;
      case '--ansible-max-hosts': o.ansibleMaxHosts = int(value(), '--ansible-max-hosts'); break;
      case '--ansible-default-max-hosts': o.ansibleDefaultMaxHosts = int(value(), '--ansible-default-max-hosts'); break;
      case '--tuned-noop-hosts': o.tunedNoopHosts = list(value()).map((v) => int(v, '--tuned-noop-hosts')).filter((n) => n > 0); break;
      case '--tuned-noop-runs': o.tunedNoopRuns = int(value(), '--tuned-noop-runs'); break;
      case '--profile-hosts': o.profileHosts = int(value(), '--profile-hosts'); break;
      case '--no-floor': o.floor = false; break;
      case '--playbooks': o.playbooks = list(value()); break;
      case '--sl44-hosts': o.sl44Hosts = list(value()).map((v) => int(v, '--sl44-hosts')).filter((n) => n > 0); break;
      case '--out': o.out = path.resolve(value()); break;
      case '--slices': o.slices = int(value(), '--slices'); break;
      case '--slice-hosts': o.sliceHosts = int(value(), '--slice-hosts'); break;
      case '--help': case '-h': usage();
      default: usage(`unknown option ${flag}`);
    }
  }
  // Before --ansible-scenarios existed, --scenarios applied to every tool: it still does
  // for Ansible unless --ansible-scenarios says otherwise.
  if (!given.has('--ansible-scenarios') && given.has('--scenarios')) o.ansibleScenarios = o.scenarios;
  for (const t of o.tools) if (!ALL_TOOLS.includes(t)) usage(`unknown tool '${t}' (known: ${ALL_TOOLS.join(', ')})`);
  for (const s of [...o.scenarios, ...o.ansibleScenarios]) if (!ALL_SCENARIOS.includes(s)) usage(`unknown scenario '${s}' (known: ${ALL_SCENARIOS.join(', ')})`);
  // A no-op or --check re-run measures the state the converge before it left: run in that order whatever the order given.
  const canonical = (xs) => ALL_SCENARIOS.filter((s) => xs.includes(s));
  o.scenarios = canonical(o.scenarios);
  o.ansibleScenarios = canonical(o.ansibleScenarios);
  if (o.hosts.length === 0) usage('--hosts needs at least one count');
  if (o.playbooks?.length === 1 && o.playbooks[0] === 'none') o.playbooks = [];
  for (const p of o.playbooks ?? []) if (!PLAYBOOKS.includes(p)) usage(`unknown playbook '${p}' (known: ${PLAYBOOKS.join(', ')})`);
  o.hostsOf = playbookHosts(o, given);
  o.hosts = [...new Set(o.hosts)].sort((a, b) => a - b);
  // The tuned no-op needs a count rackplay converges in, where the tuned ansible-playbook is not
  // already measured in full. Given explicitly, a count that cannot have it is a mistake; the
  // default (50) just does not apply where it cannot (e.g. --hosts 1,10, or --tools ansible-tuned).
  const tunedNoopProblem = (n) =>
    !o.hosts.includes(n) ? 'is not in --hosts'
    : n <= o.ansibleMaxHosts ? `is within --ansible-max-hosts ${o.ansibleMaxHosts}, where ansible-tuned runs in full`
    : !o.tools.includes('ansible-tuned') ? 'needs ansible-tuned in --tools'
    : !o.tools.includes('rackplay') || !o.scenarios.includes('converge') ? "runs on rackplay's converged state: it needs rackplay in --tools and converge in --scenarios"
    : undefined;
  o.tunedNoopHosts = [...new Set(o.tunedNoopHosts)].sort((a, b) => a - b);
  if (given.has('--tuned-noop-hosts') && o.tunedNoopRuns > 0) {
    for (const n of o.tunedNoopHosts) {
      const problem = tunedNoopProblem(n);
      if (problem) usage(`--tuned-noop-hosts ${n} ${problem}`);
    }
  }
  o.tunedNoopHosts = o.tunedNoopRuns > 0 ? o.tunedNoopHosts.filter((n) => !tunedNoopProblem(n)) : [];
  return o;
}

function usage(problem) {
  if (problem) process.stderr.write(`bench: ${problem}\n`);
  process.stderr.write(`usage: npm run bench -- [options]
  --hosts 1,10,50,100          host counts; rackplay runs at every one
  --runs 3                     rounds per host count; medians are over them
  --tools rackplay,ansible,ansible-tuned
  --scenarios converge,noop,check
                               rackplay's scenarios (and Ansible's, unless --ansible-scenarios)
  --ansible-scenarios converge,noop
                               Ansible's scenarios where it runs in full
  --ansible-max-hosts 10       ansible-tuned (forks 50, pipelining, ControlPersist) up to this count
  --ansible-default-max-hosts 1
                               ansible with its default config up to this count
  --tuned-noop-hosts 50        counts (in --hosts, above --ansible-max-hosts) where ansible-tuned
                               runs only a no-op re-run, on rackplay's converged state; 0: none
  --tuned-noop-runs 1          how many such runs per count (rounds 1.., after rackplay's)
  --profile-hosts 50           CPU profile of a rackplay no-op at this count; 0: none
  --no-floor                   skip the floor (bare ssh execs) measurement
  --out bench/results          where the JSON and SVG go
  --playbooks site,loops,sl44-roles
                               site: bench/playbook; loops: bench/playbook-loops; sl44-roles: the
                               six roles on sl44 lab hosts (rackplay only); default: site, and
                               the others that keep the estimate within 15 minutes
  --sl44-hosts 10,50           sl44-roles host counts (default: --hosts if given, else 10,50)
  --slices 0                   N > 0: also run bench/playbook on --slice-hosts hosts once whole and
                               once as N slices of a Slurm job array, and compare the merged
                               report with the whole run's (needs slurm-wlm; docs/scale.md)
  --slice-hosts 200            hosts for --slices
  --playbooks none             no playbook but the --slices comparison
The defaults take about 13 minutes on a quiet 2-core machine; the plan and its estimate are
printed first.
`);
  process.exit(problem ? 2 : 0);
}

/**
 * What runs, in order: one step per host count, each a list of rounds, each a list of legs
 * (a tool's scenarios in sequence, on wiped hosts unless the leg continues from the state
 * the leg before it left).
 *
 * Host counts where only rackplay runs come first, since they are quick. Then the counts
 * where Ansible runs in full, then the counts with a tuned no-op on rackplay's state, last:
 * that run is the longest of the bench (~2.5-3 minutes at 50 hosts), and a bench stopped
 * there (Ctrl-C, or a user out of patience) has already measured every other host count,
 * which the interrupted JSON keeps. Profiling at such a count happens before its rounds,
 * for the same reason.
 */
function buildPlan(o) {
  const steps = [];
  for (const n of o.hosts) {
    const tunedNoop = o.tunedNoopHosts.includes(n);
    const full = o.tools.filter(
      (t) => t === 'rackplay' || (t === 'ansible' && n <= o.ansibleDefaultMaxHosts) || (t === 'ansible-tuned' && !tunedNoop && n <= o.ansibleMaxHosts),
    );
    const leg = (tool) => ({ tool, scenarios: tool === 'rackplay' ? o.scenarios : o.ansibleScenarios, wipe: true });
    const rounds = [];
    for (let round = 0; round < o.runs; round++) {
      if (tunedNoop) {
        // No rotation: the tuned no-op must directly follow rackplay's converge (and its
        // no-op and --check re-runs, which leave the state as it was). Extra runs beyond the
        // rounds go back to back in the last round: a no-op changes nothing for the next one.
        const count = round >= o.tunedNoopRuns ? 0 : round === o.runs - 1 ? o.tunedNoopRuns - round : 1;
        const noops = count ? [{ tool: 'ansible-tuned', scenarios: Array(count).fill('noop'), wipe: false, state: CONVERGED_BY_RACKPLAY }] : [];
        rounds.push([leg('rackplay'), ...noops, ...full.filter((t) => t !== 'rackplay').map(leg)]);
      } else {
        rounds.push(full.map((_, i) => leg(full[(i + round) % full.length])));
      }
    }
    const legs = rounds.flat().filter((l) => l.scenarios.length);
    if (legs.length === 0) continue;
    const kind = tunedNoop ? 2 : legs.some((l) => l.tool !== 'rackplay') ? 1 : 0;
    steps.push({ hosts: n, kind, rounds: rounds.map((r) => r.filter((l) => l.scenarios.length)) });
  }
  return steps.sort((a, b) => a.kind - b.kind || a.hosts - b.hosts);
}

/**
 * Seconds per run on a quiet 2-core machine, measured with the 37-task playbook: points
 * [hosts, s], linear between them and along the last segment beyond. Only for the estimate
 * printed before a bench, so that a user knows whether to wait or to come back.
 */
const COST_POINTS = {
  rackplay: { converge: [[1, 1.2], [10, 2.4], [50, 10]], noop: [[1, 1], [10, 1.5], [50, 5.5]], check: [[1, 1], [10, 1.6], [50, 5.5]] },
  ansible: { converge: [[1, 14], [10, 80]], noop: [[1, 13], [10, 55]], check: [[1, 12], [10, 69]] },
  'ansible-tuned': { converge: [[1, 8], [10, 38], [50, 194]], noop: [[1, 7], [10, 35], [50, 165]], check: [[1, 7.5], [10, 36], [50, 165]] },
};
const FLOOR_POINTS = [[1, 0.5], [10, 1], [50, 6], [100, 12]];

/** The plan in a few lines, and its estimated duration in seconds. */
function describePlan(o, steps) {
  const lines = [];
  let total = 0;
  const cost = (tool, scenario, n) => interpolate(COST_POINTS[tool][scenario], n);
  const maxHosts = Math.max(...o.hosts);
  // Lab start-up and stop, the --version and --list-tasks runs.
  total += 10 + maxHosts * 0.06;
  for (const step of steps) {
    const n = step.hosts;
    const counts = new Map();
    let s = 0;
    for (const legs of step.rounds) {
      for (const l of legs) {
        const label = l.state ? `${l.tool} no-op on rackplay's converged state` : `${l.tool} ${l.scenarios.join('+')}`;
        counts.set(label, (counts.get(label) ?? 0) + l.scenarios.length);
        for (const sc of l.scenarios) s += cost(l.tool, sc, n);
      }
    }
    if (o.floor && o.tools.includes('rackplay')) s += interpolate(FLOOR_POINTS, n);
    if (n === profileHostsOf(o)) s += cost('rackplay', 'converge', n) + 1.5 * cost('rackplay', 'noop', n);
    total += s;
    lines.push(`  ${String(n).padStart(3)} host${n === 1 ? ' ' : 's'}: ${[...counts].map(([label, c]) => `${label} ×${c}`).join(', ')}  (~${fmtDuration(s)})`);
  }
  const p = profileHostsOf(o);
  if (p && !o.hosts.includes(p)) total += cost('rackplay', 'converge', p) + 1.5 * cost('rackplay', 'noop', p);
  return { lines, seconds: Math.round(total) };
}

/** The host count the rackplay CPU profile runs at (0: none). */
const profileHostsOf = (o) => (o.profileHosts > 0 && o.tools.includes('rackplay') ? Math.min(o.profileHosts, Math.max(...o.hosts)) : 0);

const fmtDuration = (s) => (s < 90 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`);

const median = (xs) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

/** Tool runs in progress: an interrupted bench ends them (their process groups) before stopping the lab. */
const running = new Set();
/** Set by SIGINT/SIGTERM: no new tool run starts after it. */
let stoppedBySignal = false;

/**
 * CPU time the whole machine has spent busy (all cores, /proc/stat, not idle or iowait), in
 * ms: around a run, the controller's CPU plus the lab hosts' (sshd, shells, the probes,
 * modules or simulated tools), which share the machine's cores.
 */
function machineBusyMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  // /proc/stat counts in USER_HZ, 100 per second on Linux.
  return Math.round(((total - f[3] - f[4]) * 1000) / 100);
}

/** Runs a command under GNU time; resolves with wall ms, controller CPU ms, peak RSS and output. */
function timed(argv, { env, cwd, stdoutFile, timeFile }) {
  return new Promise((resolve, reject) => {
    if (stoppedBySignal) return reject(new Error('stopped by a signal'));
    const start = process.hrtime.bigint();
    const busy0 = machineBusyMs();
    const child = spawn(TIME, ['-f', '%U %S %M', '-o', timeFile, ...argv], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      const wallMs = ms(start);
      writeFileSync(stdoutFile, out);
      const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
      const [user, sys, rssKb] = last.split(/\s+/).map(Number);
      const machineCpuMs = machineBusyMs() - busy0;
      resolve({ code, wallMs, cpuMs: Math.round((user + sys) * 1000), machineCpuMs, peakRssMb: Math.round((rssKb / 1024) * 10) / 10, output: out });
    });
  });
}

function ansibleConfig(file, tuned, controlDir) {
  const lines = tuned
    ? ['[defaults]', 'forks = 50', 'gathering = explicit', 'host_key_checking = True', '[ssh_connection]', 'pipelining = True', 'ssh_args = -o ControlMaster=auto -o ControlPersist=60s', `control_path_dir = ${controlDir}`]
    : // Ansible's defaults, written out: forks 5, no pipelining (its default ssh_args already
      // carry ControlMaster=auto ControlPersist=60s).
      ['[defaults]', 'forks = 5', 'host_key_checking = True', '[ssh_connection]', 'pipelining = False', `control_path_dir = ${controlDir}`];
  writeFileSync(file, lines.join('\n') + '\n');
}

/** Ends the ControlPersist masters Ansible left (they are daemons, not our children): ssh -O exit on each socket. */
async function closeControlMasters(dir) {
  if (!existsSync(dir)) return;
  await Promise.all(
    readdirSync(dir).map(
      (sock) =>
        new Promise((resolve) => {
          const c = spawn('ssh', ['-o', `ControlPath=${path.join(dir, sock)}`, '-O', 'exit', 'bench-master'], { stdio: 'ignore' });
          c.on('error', resolve);
          c.on('close', resolve);
        }),
    ),
  );
}

function labHostVars(lab, h) {
  return {
    ansible_host: h.address,
    ansible_port: h.port,
    ansible_user: lab.user,
    ansible_ssh_private_key_file: lab.keyPath,
    ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes`,
    ansible_python_interpreter: '/usr/bin/python3',
  };
}

/** An inventory of the lab's first n hosts; both tools check host keys against the lab's known_hosts. */
function writeInventory(file, lab, hosts) {
  const lines = ['all:', '  vars:'];
  for (const [k, v] of Object.entries(labHostVars(lab, hosts[0]))) if (!['ansible_host', 'ansible_port'].includes(k)) lines.push(`    ${k}: ${JSON.stringify(v)}`);
  lines.push('  hosts:');
  for (const h of hosts) lines.push(`    ${h.name}:`, `      ansible_host: ${h.address}`, `      ansible_port: ${h.port}`);
  writeFileSync(file, lines.join('\n') + '\n');
}

async function pool(n, items, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/**
 * The floor: what the no-op run cannot beat with one exec per task-host. Connect every
 * host (ssh2, TCP_NODELAY, same handshake cap as the CLI), then `tasks` waves of a bare
 * `true` on every host, `forks` hosts at a time, a wave finishing before the next starts
 * (the linear strategy).
 */
async function measureFloor(lab, hosts, tasks, forks) {
  const { SshTransport, HandshakeLimiter } = await import(dist('src/transport/ssh.js'));
  const { sshSettingsFromVars } = await import(dist('src/transport/ssh-settings.js'));
  const limiter = new HandshakeLimiter();
  const t0 = process.hrtime.bigint();
  const transports = hosts.map((h) => new SshTransport(h.name, sshSettingsFromVars(h.name, labHostVars(lab, h), { hostKeyChecking: true, timeoutS: 10 }), { handshakeLimiter: limiter }));
  try {
    await Promise.all(transports.map((t) => t.connect()));
    const connectMs = ms(t0);
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < tasks; i++) {
      await pool(forks, transports, async (t) => {
        const r = await t.exec('true');
        if (r.rc !== 0) throw new Error(`${t.host}: true exited ${r.rc}`);
      });
    }
    const execMs = ms(t1);
    return { hosts: hosts.length, tasks, forks, connectMs: Math.round(connectMs), execMs: Math.round(execMs), perWaveMs: Math.round((execMs / tasks) * 10) / 10, totalMs: Math.round(connectMs + execMs) };
  } finally {
    await Promise.allSettled(transports.map((t) => t.close()));
  }
}

/** Median wall time of `argv` over `n` runs (for --version). */
async function startupMs(argv, n, work) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const r = await timed(argv, { env: process.env, cwd: work, stdoutFile: path.join(work, 'version.out'), timeFile: path.join(work, 'version.time') });
    if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.output}`);
    times.push(r.wallMs);
  }
  return Math.round(median(times));
}

/** Top self-time functions of a .cpuprofile, and self time by area (our code, ssh2, node...). */
function analyzeProfile(file) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map();
  const area = new Map();
  for (const [id, us] of self) {
    const cf = byId.get(id).callFrame;
    const url = cf.url.replace(/^file:\/\//, '').replace(repo + '/', '');
    const name = `${cf.functionName || '(anonymous)'} ${url ? `${url}:${cf.lineNumber + 1}` : ''}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + us);
    const a = !url ? cf.functionName || '(native)' : url.includes('node_modules/') ? url.split('node_modules/').at(-1).split('/')[0] : url.startsWith('node:') ? 'node internals' : url.startsWith('dist/') ? url.split('/').slice(1, 3).join('/') : url;
    area.set(a, (area.get(a) ?? 0) + us);
  }
  // Idle is the event loop waiting for the hosts: shown apart from the functions.
  const idleUs = fn.get('(idle)') ?? 0;
  fn.delete('(idle)');
  area.delete('(idle)');
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, selfMs: Math.round(us / 100) / 10, pct: Math.round((us / total) * 1000) / 10 }));
  return { totalMs: Math.round(total / 1000), idleMs: Math.round(idleUs / 1000), topFunctions: top(fn, 20), byArea: top(area, 15) };
}

function summarize(runs) {
  const groups = new Map();
  for (const r of runs) {
    const key = `${r.tool}|${r.hosts}|${r.scenario}|${r.state ?? ''}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  return [...groups.values()].map((rs) => {
    const ok = rs.filter((r) => r.valid);
    const pick = (f) => median(ok.map(f).filter((v) => v !== undefined && v !== null));
    const s = { tool: rs[0].tool, hosts: rs[0].hosts, scenario: rs[0].scenario, ...(rs[0].state ? { state: rs[0].state } : {}), runs: rs.length, valid: ok.length, wallMs: pick((r) => r.wallMs), minWallMs: ok.length ? Math.min(...ok.map((r) => r.wallMs)) : null, maxWallMs: ok.length ? Math.max(...ok.map((r) => r.wallMs)) : null, cpuMs: pick((r) => r.cpuMs), peakRssMb: ok.length ? Math.max(...ok.map((r) => r.peakRssMb)) : null };
    if (rs[0].tool === 'rackplay') {
      s.execs = pick((r) => r.stats?.execs);
      s.puts = pick((r) => r.stats?.puts);
      s.gets = pick((r) => r.stats?.gets);
      s.execsPerTaskHost = pick((r) => r.execsPerTaskHost);
      s.opsPerTaskHost = pick((r) => r.opsPerTaskHost);
      s.firstExecMs = pick((r) => r.stats?.firstExecMs);
      s.handshakesPeak = pick((r) => r.stats?.handshakesPeak);
    }
    for (const k of ['wallMs', 'minWallMs', 'maxWallMs', 'cpuMs']) if (s[k] !== null) s[k] = Math.round(s[k]);
    return s;
  });
}

/** The targets, with the --slices one when it ran. */
function withSlices(t, slices) {
  if (slices) t.list.push(slices);
  return t;
}

function targets(summary, floor, versionMs, taskCount) {
  const get = (tool, hosts, scenario) => summary.find((s) => s.tool === tool && s.hosts === hosts && s.scenario === scenario && s.valid > 0);
  const out = [];
  // The tuned median wherever it came from: at 50 hosts the tuned no-op is a run on the
  // state rackplay's converge left, which the value says.
  const ratio = (scenario, hosts, want, { onlyIfMeasured = false } = {}) => {
    const a = get('ansible-tuned', hosts, scenario);
    const r = get('rackplay', hosts, scenario);
    const value = a && r ? Math.round((a.wallMs / r.wallMs) * 10) / 10 : null;
    if (value === null && onlyIfMeasured) return;
    const how = a ? [a.valid === 1 ? 'tuned: 1 run' : `tuned: median of ${a.valid}`, ...(a.state === CONVERGED_BY_RACKPLAY ? ["on rackplay's converged state"] : [])].join(', ') : '';
    out.push({ target: `${scenario === 'noop' ? 'no-op' : scenario} at ${hosts} hosts ≥ ${want}× faster than tuned ansible-playbook`, value: value === null ? 'not measured' : `${value}× (${r.wallMs} ms vs ${a.wallMs} ms; ${how})`, holds: value === null ? null : value >= want });
  };
  for (const h of [10, 50]) ratio('noop', h, 50);
  ratio('converge', 10, 10);
  // A tuned converge at 50 hosts costs ~3 minutes, out of the default plan: shown when measured.
  ratio('converge', 50, 10, { onlyIfMeasured: true });
  const perTask = (scenario, max) => {
    const rows = summary.filter((s) => s.tool === 'rackplay' && s.scenario === scenario && s.valid > 0);
    const worst = rows.length ? Math.max(...rows.map((s) => s.execsPerTaskHost)) : null;
    out.push({ target: `≤ ${max} remote exec per task-host on a ${scenario === 'noop' ? 'no-op' : 'changing'} run`, value: worst === null ? 'not measured' : `${worst} execs (${rows.map((s) => `${s.hosts}h: ${s.execsPerTaskHost}`).join(', ')}; plus puts: ${rows.map((s) => s.opsPerTaskHost).join(', ')} ops)`, holds: worst === null ? null : worst <= max });
  };
  perTask('noop', 1);
  perTask('converge', 3);
  const floorRows = summary.filter((s) => s.tool === 'rackplay' && s.scenario === 'noop' && s.valid > 0 && floor[s.hosts]);
  const floorRatios = floorRows.map((s) => ({ hosts: s.hosts, x: Math.round((s.wallMs / floor[s.hosts].totalMs) * 100) / 100 }));
  out.push({ target: 'no-op run within 2× of the exec floor', value: floorRatios.length ? floorRatios.map((f) => `${f.hosts}h: ${f.x}×`).join(', ') : 'not measured', holds: floorRatios.length ? floorRatios.every((f) => f.x <= 2) : null });
  const rss = summary.filter((s) => s.tool === 'rackplay' && s.hosts === 100);
  const rssMax = rss.length ? Math.max(...rss.map((s) => s.peakRssMb)) : null;
  out.push({ target: 'controller peak RSS < 200 MB at 100 hosts', value: rssMax === null ? 'not measured' : `${rssMax} MB`, holds: rssMax === null ? null : rssMax < 200 });
  out.push({ target: '`rackplay --version` < 300 ms', value: versionMs === undefined ? 'not measured' : `${versionMs} ms`, holds: versionMs === undefined ? null : versionMs < 300 });
  const first = summary.filter((s) => s.tool === 'rackplay' && s.firstExecMs !== null && s.firstExecMs !== undefined);
  const firstMax = first.length ? Math.max(...first.map((s) => s.firstExecMs)) : null;
  out.push({ target: 'time to first remote command < 500 ms', value: firstMax === null ? 'not measured' : `${firstMax} ms worst median (${first.filter((s) => s.scenario === 'noop').map((s) => `${s.hosts}h: ${s.firstExecMs}`).join(', ')} on no-op runs)`, holds: firstMax === null ? null : firstMax < 500 });
  return { taskCount, list: out };
}

const COLORS = { rackplay: '#d62728', ansible: '#1f77b4', 'ansible-tuned': '#2ca02c' };

/** Wall time vs hosts, one panel per scenario, log-scale time axis. */
function svgChart(summary, title) {
  const scenarios = [...new Set(summary.map((s) => s.scenario))];
  const hostsAll = [...new Set(summary.map((s) => s.hosts))].sort((a, b) => a - b);
  const walls = summary.filter((s) => s.wallMs).map((s) => s.wallMs);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...walls))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...walls))));
  const W = 300, H = 260, L = 60, T = 50, B = 50, GAP = 30;
  const width = L + scenarios.length * (W + GAP) + 130, height = T + H + B;
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const y = (v) => T + H - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * H;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`, `<rect width="100%" height="100%" fill="white"/>`, `<text x="${L}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`];
  scenarios.forEach((sc, i) => {
    const x0 = L + i * (W + GAP);
    const x = (h) => x0 + (hostsAll.length === 1 ? W / 2 : (hostsAll.indexOf(h) / (hostsAll.length - 1)) * (W - 20) + 10);
    parts.push(`<text x="${x0 + W / 2}" y="${T - 10}" text-anchor="middle" font-size="12" font-weight="bold">${esc({ converge: 'first converge', noop: 'no-op re-run', check: '--check re-run' }[sc] ?? sc)}</text>`);
    parts.push(`<rect x="${x0}" y="${T}" width="${W}" height="${H}" fill="none" stroke="#999"/>`);
    for (let d = lo; d <= hi; d *= 10) {
      parts.push(`<line x1="${x0}" x2="${x0 + W}" y1="${y(d)}" y2="${y(d)}" stroke="#ddd"/>`);
      if (i === 0) parts.push(`<text x="${x0 - 5}" y="${y(d) + 4}" text-anchor="end">${d >= 1000 ? d / 1000 + ' s' : d + ' ms'}</text>`);
    }
    for (const h of hostsAll) parts.push(`<text x="${x(h)}" y="${T + H + 15}" text-anchor="middle">${h}</text>`);
    parts.push(`<text x="${x0 + W / 2}" y="${T + H + 35}" text-anchor="middle">hosts</text>`);
    for (const tool of Object.keys(COLORS)) {
      const pts = summary.filter((s) => s.tool === tool && s.scenario === sc && s.wallMs).sort((a, b) => a.hosts - b.hosts);
      if (!pts.length) continue;
      parts.push(`<polyline fill="none" stroke="${COLORS[tool]}" stroke-width="2" points="${pts.map((p) => `${x(p.hosts).toFixed(1)},${y(p.wallMs).toFixed(1)}`).join(' ')}"/>`);
      for (const p of pts) parts.push(`<circle cx="${x(p.hosts).toFixed(1)}" cy="${y(p.wallMs).toFixed(1)}" r="3" fill="${COLORS[tool]}"><title>${esc(`${tool}, ${p.hosts} hosts, ${sc}${p.state ? ` (${p.state}, ${p.valid} run${p.valid === 1 ? '' : 's'})` : ''}: ${p.wallMs} ms`)}</title></circle>`);
    }
  });
  const lx = L + scenarios.length * (W + GAP);
  Object.entries(COLORS).forEach(([tool, c], i) => {
    parts.push(`<line x1="${lx}" x2="${lx + 20}" y1="${T + 10 + i * 18}" y2="${T + 10 + i * 18}" stroke="${c}" stroke-width="2"/>`, `<text x="${lx + 25}" y="${T + 14 + i * 18}">${esc(tool)}</text>`);
  });
  parts.push(`<text x="${lx}" y="${T + 80}" fill="#555">median wall time,</text>`, `<text x="${lx}" y="${T + 94}" fill="#555">log scale</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(repo, 'dist/src/cli/main.js')) || !existsSync(path.join(repo, 'dist/test/lab/lab.js'))) usage('dist/ is missing: run `npm run build` first');
  if (!existsSync(TIME)) usage(`${TIME} is missing: apt-get install time`);
  if (o.tools.some((t) => t.startsWith('ansible')) && !existsSync('/usr/bin/ansible-playbook')) usage('ansible-playbook is missing: apt-get install ansible-core, or --tools rackplay');
  const { startLab, stopLab, labHostVars: labVars } = await import(dist('test/lab/lab.js'));
  o.playbooks ??= defaultPlaybooks(o, o.hostsOf, describePlan(o, buildPlan(o)).seconds);
  const site = o.playbooks.includes('site');
  if (!site) Object.assign(o, { floor: false, profileHosts: 0 });
  const steps = site ? buildPlan(o) : [];
  const extras = o.playbooks.filter((p) => p !== 'site').map((p) => describePlaybook(o, o.hostsOf, p));
  if (steps.length === 0 && !extras.some((e) => e.lines.length) && !o.slices) usage('nothing to run: no tool runs at any of --hosts');
  const plan = describePlan(o, steps);
  for (const e of extras) plan.lines.push(...e.lines), (plan.seconds += e.seconds);
  if (o.slices) {
    // Measured: about 0.9 s per host for the four runs (whole and sliced, converge and no-op), plus the lab.
    const seconds = Math.round(o.sliceHosts * 1.0 + 10);
    plan.lines.push(`  slices: ${o.slices} × ${o.sliceHosts} hosts on Slurm, converge + no-op, whole and sliced  (~${seconds} s)`);
    plan.seconds += seconds;
  }
  process.stderr.write(`plan, in this order (${o.runs} round${o.runs === 1 ? '' : 's'}):\n${plan.lines.join('\n')}\nestimated duration: ~${fmtDuration(plan.seconds)} (per-run costs measured on a quiet 2-core machine)\n`);

  const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-bench-'));
  const labDir = path.join(work, 'lab');
  const labDirs = [labDir];
  const playbookResults = {};
  const sliceResults = {};
  const controlDirs = [];
  // One cleanup, awaited by whoever asks: the signal handler and the `finally` below.
  let cleaning;
  const cleanup = () => (cleaning ??= cleanupOnce());
  const cleanupOnce = async () => {
    for (const c of running) {
      try {
        process.kill(-c.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    for (const d of controlDirs) await closeControlMasters(d).catch(() => undefined);
    for (const d of labDirs) await stopLab(d).catch((e) => process.stderr.write(`bench: stopping the lab: ${e.message}\n`));
    rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (sig) => {
    stoppedBySignal = true;
    process.stderr.write(`\nbench: ${sig}, stopping the lab\n`);
    cleanup()
      .then(() => report(true))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const started = new Date();
  const log = (s) => process.stderr.write(s + '\n');
  const runs = [];
  const floor = {};
  let profile;
  let versionMs, ansibleVersionMs, taskCount;
  const stamp = started.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  const jsonFile = path.join(o.out, `${stamp}.json`);
  const svgFile = path.join(o.out, `${stamp}.svg`);
  mkdirSync(o.out, { recursive: true });
  /** Writes the JSON and the chart; an interrupted run keeps what it measured. */
  const report = (interrupted) => {
    const summary = summarize(runs);
    const result = {
      date: started.toISOString(),
      durationS: Math.round((Date.now() - started.getTime()) / 1000),
      interrupted,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), node: process.version, kernel: os.release() },
      options: { ...o, out: undefined },
      estimatedDurationS: plan.seconds,
      playbook: { path: path.relative(repo, playbook), tasks: taskCount },
      playbooks: playbookResults,
      ...(o.slices ? { slices: sliceResults.slices } : {}),
      startup: { rackplayVersionMs: versionMs, ansiblePlaybookVersionMs: ansibleVersionMs },
      floor,
      summary,
      targets: withSlices(targets(summary, floor, versionMs, taskCount), o.slices ? slicesTarget(sliceResults) : undefined),
      profile,
      runs,
    };
    writeFileSync(jsonFile, JSON.stringify(result, null, 2) + '\n');
    if (summary.some((s) => s.wallMs)) writeFileSync(svgFile, svgChart(summary, `rackplay vs ansible-playbook, ${taskCount}-task Xen playbook (median of ${o.runs} rounds, ${result.machine.cpus} cores)`));
    return result;
  };
  try {
    const maxHosts = Math.max(...o.hosts);
    const t0 = process.hrtime.bigint();
    const lab = site || o.playbooks.includes('loops') ? await startLab({ count: maxHosts, dir: labDir, namePrefix: 'bench' }) : undefined;
    if (lab) log(`lab: ${lab.hosts.length} hosts up in ${Math.round(ms(t0))} ms (${lab.hosts[0].address}..${lab.hosts.at(-1).address})`);
    const cfg = {};
    for (const tool of ['ansible', 'ansible-tuned']) {
      const cp = path.join(work, `cp-${tool}`);
      mkdirSync(cp);
      controlDirs.push(cp);
      cfg[tool] = path.join(work, `${tool}.cfg`);
      ansibleConfig(cfg[tool], tool === 'ansible-tuned', cp);
    }
    // rackplay reads ansible.cfg too: give it an empty one so no stray config applies.
    cfg.rackplay = path.join(work, 'rackplay.cfg');
    writeFileSync(cfg.rackplay, '[defaults]\n');
    const baseEnv = { ...process.env, NO_COLOR: '1', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-local'), ANSIBLE_RETRY_FILES_ENABLED: 'False' };

    versionMs = await startupMs([process.execPath, rackplayBin, '--version'], 5, work);
    log(`rackplay --version: ${versionMs} ms (median of 5)`);
    if (o.tools.some((t) => t.startsWith('ansible'))) {
      ansibleVersionMs = await startupMs(['ansible-playbook', '--version'], 3, work);
      log(`ansible-playbook --version: ${ansibleVersionMs} ms (median of 3)`);
    }
    const listed = site && await timed([process.execPath, rackplayBin, '--list-tasks', '-i', lab.inventoryPath, playbook], { env: { ...baseEnv, ANSIBLE_CONFIG: cfg.rackplay }, cwd: work, stdoutFile: path.join(work, 'list.out'), timeFile: path.join(work, 'list.time') });
    taskCount = listed && listed.output.split('\n').filter((l) => /^\s{6}\S/.test(l)).length;
    if (site) log(`playbook: ${taskCount} tasks`);

    const profileAt = async (n) => {
      const hosts = lab.hosts.slice(0, n);
      const inventory = path.join(work, `inventory-${n}.yml`);
      if (!existsSync(inventory)) writeInventory(inventory, lab, hosts);
      const profDir = path.join(work, 'prof');
      const env = { ...baseEnv, ANSIBLE_CONFIG: cfg.rackplay };
      hosts.forEach((h) => rmSync(path.join(h.root, 'srv/bench'), { recursive: true, force: true }));
      await timed([process.execPath, rackplayBin, '-i', inventory, playbook], { env, cwd: work, stdoutFile: path.join(work, 'prof-converge.out'), timeFile: path.join(work, 'prof.time') });
      const r = await timed([process.execPath, '--cpu-prof', `--cpu-prof-dir=${profDir}`, rackplayBin, '-i', inventory, playbook], { env, cwd: work, stdoutFile: path.join(work, 'prof.out'), timeFile: path.join(work, 'prof.time') });
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (r.code === 0 && file) {
        profile = { hosts: n, scenario: 'noop', wallMs: Math.round(r.wallMs), cpuMs: r.cpuMs, ...analyzeProfile(path.join(profDir, file)) };
        log(`profile (${n} hosts, no-op): ${profile.totalMs} ms sampled; top: ${profile.topFunctions.slice(0, 5).map((f) => `${f.name} ${f.pct}%`).join('; ')}`);
      } else log(`profile run failed (exit ${r.code})`);
    };
    const profileHosts = profileHostsOf(o);
    if (profileHosts && !o.hosts.includes(profileHosts)) await profileAt(profileHosts);
    let seq = 0;
    for (const step of steps) {
      const n = step.hosts;
      const hosts = lab.hosts.slice(0, n);
      const inventory = path.join(work, `inventory-${n}.yml`);
      writeInventory(inventory, lab, hosts);
      const wipe = () => hosts.forEach((h) => rmSync(path.join(h.root, 'srv/bench'), { recursive: true, force: true }));
      if (o.floor && o.tools.includes('rackplay')) {
        floor[n] = await measureFloor(lab, hosts, taskCount, 50);
        log(`floor ${n} hosts: connect ${floor[n].connectMs} ms + ${taskCount} waves of true ${floor[n].execMs} ms`);
      }
      // Before the rounds rather than after: its own converge wipes first, and it is then
      // kept if the bench is stopped during a long tuned no-op of this count.
      if (n === profileHosts) await profileAt(n);
      for (const [round, legs] of step.rounds.entries()) {
        // Whether the hosts are as a valid rackplay converge (and re-runs) left them.
        let rackplayConverged = false;
        for (const leg of legs) {
          const { tool } = leg;
          if (leg.wipe) wipe();
          if (leg.state === CONVERGED_BY_RACKPLAY && !rackplayConverged) {
            // A no-op on hosts not converged is no no-op, and ~3 minutes at 50 hosts: skipped, and recorded so.
            for (const scenario of leg.scenarios) runs.push({ tool, hosts: n, scenario, state: leg.state, round: round + 1, wallMs: null, valid: false, invalid: "skipped: rackplay's converge or no-op before it was not valid" });
            report(true);
            log(`  ! ${tool} ${n} hosts no-op round ${round + 1}: skipped, rackplay's converge or no-op before it was not valid`);
            continue;
          }
          for (const scenario of leg.scenarios) {
            const id = `${++seq}-${tool}-${n}-${scenario}`;
            const statsFile = path.join(work, `${id}.stats.json`);
            const args = ['-i', inventory, playbook, ...(scenario === 'check' ? ['--check'] : [])];
            const argv = tool === 'rackplay' ? [process.execPath, rackplayBin, ...args] : ['ansible-playbook', ...args];
            const env = { ...baseEnv, ANSIBLE_CONFIG: cfg[tool], ...(tool === 'rackplay' ? { RACKPLAY_STATS_FILE: statsFile } : {}) };
            const r = await timed(argv, { env, cwd: work, stdoutFile: path.join(work, `${id}.out`), timeFile: path.join(work, `${id}.time`) });
            // Ended by the signal handler: no measurement, and the handler does the reporting.
            if (stoppedBySignal) throw new Error('stopped by a signal');
            const recap = parseRecap(r.output);
            const reason = r.code !== 0 ? `exit code ${r.code}` : invalidReason(recap, hosts.map((h) => h.name), scenario);
            const run = { tool, hosts: n, scenario, ...(leg.state ? { state: leg.state } : {}), round: round + 1, wallMs: Math.round(r.wallMs), cpuMs: r.cpuMs, peakRssMb: r.peakRssMb, valid: !reason };
            if (reason) {
              run.invalid = reason;
              log(`  ! ${id}: ${reason}\n${r.output.split('\n').slice(-15).join('\n')}`);
            }
            if (tool === 'rackplay') {
              if (scenario === 'converge') rackplayConverged = !reason;
              else if (scenario === 'noop') rackplayConverged &&= !reason;
            }
            if (tool === 'rackplay' && existsSync(statsFile)) {
              run.stats = JSON.parse(readFileSync(statsFile, 'utf8'));
              // Handlers run once per host on a converge (two of them notified).
              const moduleRuns = recap[hosts[0].name] ? hosts.reduce((a, h) => a + (recap[h.name]?.ok ?? 0) + (recap[h.name]?.failed ?? 0), 0) : taskCount * n;
              run.moduleRuns = moduleRuns;
              run.execsPerTaskHost = Math.round((run.stats.execs / moduleRuns) * 100) / 100;
              run.opsPerTaskHost = Math.round(((run.stats.execs + run.stats.puts + run.stats.gets) / moduleRuns) * 100) / 100;
            }
            runs.push(run);
            report(true);
            log(`  ${tool.padEnd(13)} ${String(n).padStart(3)} hosts  ${scenario.padEnd(8)} round ${round + 1}: ${String(run.wallMs).padStart(7)} ms  cpu ${String(r.cpuMs).padStart(7)} ms  rss ${r.peakRssMb} MB${run.stats ? `  execs ${run.stats.execs} puts ${run.stats.puts}  first exec ${run.stats.firstExecMs} ms` : ''}${leg.state ? `  (on the state ${leg.state})` : ''}`);
          }
        }
      }
    }
    const ctx = { lab, labDirs, startLab, labHostVars: labVars, timed, writeInventory, summarize, cfg, baseEnv, work, repo, rackplayBin, log, stopped: () => stoppedBySignal, report: () => report(true) };
    await runPlaybooks(o, o.hostsOf, ctx, playbookResults);
    if (o.slices) await runSlices(o, { ...ctx, dist }, sliceResults);
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (stoppedBySignal) return;

  const result = report(false);
  const summary = result.summary;
  const side = sideBySide(summary, o.runs);
  if (site) process.stdout.write('\n' + textTable(side) + '\n' + side.notes.map((n) => `  ${n}\n`).join('') + '\n' + runTable(summary));
  process.stdout.write(printPlaybooks(playbookResults, o.runs));
  process.stdout.write('\ntargets:\n' + result.targets.list.map((t) => `  [${t.holds === null ? ' ? ' : t.holds ? 'ok ' : 'NO '}] ${t.target}: ${t.value}`).join('\n') + '\n');
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), jsonFile)} and ${path.relative(process.cwd(), svgFile)}; took ${fmtDuration(result.durationS)} (estimated ~${fmtDuration(plan.seconds)})\n`);
}

main().catch((e) => {
  // The signal handler stops the lab, writes the partial JSON and exits: what failed after
  // the signal (a tool run it ended, the lab going away) is no error of the bench.
  if (stoppedBySignal) return;
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  process.exit(1);
});
