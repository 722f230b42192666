// The playbooks beyond bench/playbook's (`site`), selected with --playbooks:
//   - loops: bench/playbook-loops, a loop-heavy web server playbook written the way users
//     write them (20 of its 33 tasks loop), on the same Debian lab hosts as `site`; rackplay
//     and the Ansible tools (up to the same --ansible-max-hosts / --ansible-default-max-hosts);
//   - sl44-roles: the project's own playbooks/site.yml (the six roles) on sl44 lab hosts
//     (test/lab/flavors/sl44.ts), rackplay alone: Ansible cannot manage SL 4.4 (Python 2.3).
// Each playbook has its own results (runs, summary) under `playbooks.NAME` in the bench's
// JSON; `site` keeps the top-level fields older results have.
//
// Execs per task-host divide rackplay's execs by the recap's ok + failed summed over the
// hosts (handlers included), as for `site`: a loop task counts once however many items it
// has, and skipped tasks (sl44-roles has some) are left out, since they contact no host.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { invalidReason, parseRecap } from './recap.mjs';
import { interpolate, runTable, sideBySide, textTable } from './tables.mjs';

export const PLAYBOOKS = ['site', 'loops', 'sl44-roles'];
const SPECS = {
  loops: { file: 'bench/playbook-loops/site.yml', lab: 'debian', tools: ['rackplay', 'ansible', 'ansible-tuned'] },
  'sl44-roles': { file: 'playbooks/site.yml', lab: 'sl44', tools: ['rackplay'] },
};
/** The issue's budget for the default plan: a playbook joins the default selection only if the estimate stays within it. */
const BUDGET_S = 15 * 60;

/**
 * Seconds per run, [hosts, s] points as in bench.mjs's COST_POINTS. Rough: taken from 2-host
 * runs on the busy 2-core machine and scaled like the site playbook's; for the printed
 * estimate and the default selection only.
 */
const COST = {
  loops: { rackplay: { converge: [[2, 2], [10, 4], [50, 16]], noop: [[2, 1.5], [10, 3], [50, 10]] }, 'ansible-tuned': { converge: [[1, 25], [10, 110]], noop: [[1, 20], [10, 90]] }, ansible: { converge: [[1, 45], [10, 250]], noop: [[1, 40], [10, 200]] } },
  'sl44-roles': { rackplay: { converge: [[2, 30], [10, 45], [50, 120]], noop: [[2, 5], [10, 8], [50, 30]] }, lab: [[2, 5], [60, 60]] },
};

/** The host counts of each selected playbook; sl44-roles takes --sl44-hosts, else --hosts if given, else 10,50. */
export function playbookHosts(o, given) {
  return { loops: o.hosts, 'sl44-roles': o.sl44Hosts ?? (given.has('--hosts') ? o.hosts : [10, 50]) };
}

/** Which tools run `name` at n hosts: the Ansible ones within the same limits as for `site`. */
function toolsAt(o, name, n) {
  return SPECS[name].tools.filter((t) => o.tools.includes(t) && (t === 'rackplay' || (t === 'ansible' && n <= o.ansibleDefaultMaxHosts) || (t === 'ansible-tuned' && n <= o.ansibleMaxHosts)));
}

/** One line per host count and the estimated seconds of one extra playbook. */
export function describePlaybook(o, hostsOf, name) {
  const lines = [];
  let total = name === 'sl44-roles' ? interpolate(COST[name].lab, hostsOf[name].reduce((a, b) => a + b, 0)) : 0;
  for (const n of hostsOf[name]) {
    const tools = toolsAt(o, name, n);
    if (!tools.length) continue;
    // sl44 hosts cannot be wiped: one converge per count, then --runs no-ops.
    const converges = name === 'sl44-roles' ? 1 : o.runs;
    const s = tools.reduce((a, t) => a + converges * interpolate(COST[name][t].converge, n) + o.runs * interpolate(COST[name][t].noop, n), 0);
    total += s;
    lines.push(`  ${name} ${String(n).padStart(3)} hosts: ${tools.map((t) => `${t} converge ×${converges} + no-op ×${o.runs}`).join(', ')}  (~${Math.round(s)} s)`);
  }
  return { lines, seconds: Math.round(total) };
}

/** The default selection: `site`, then each other playbook while the estimate fits the budget. */
export function defaultPlaybooks(o, hostsOf, siteSeconds) {
  const out = ['site'];
  let total = siteSeconds;
  for (const name of ['loops', 'sl44-roles']) {
    const s = describePlaybook(o, hostsOf, name).seconds;
    if (total + s <= BUDGET_S) {
      out.push(name);
      total += s;
    } else process.stderr.write(`playbook ${name} left out of the default plan: ~${Math.round(s)} s more would pass ${BUDGET_S / 60} minutes (--playbooks selects it)\n`);
  }
  return out;
}

/** The sl44 roles' variables, as test/integration/roles-lab.test.ts gives them: a simulated Xen source tarball and two guests. */
function sl44Vars(repo, work) {
  execFileSync('sh', [path.join(repo, 'test/lab/sim/make-xen-tarball.sh'), work]);
  const tarball = path.join(work, 'xen-3.0.4_1-src.tgz');
  const file = path.join(work, 'sl44-vars.json');
  const guests = [
    { name: 'ccs01', lv: 'w2k3', memory: 512, phase: 'installed', display: 'vnc', autostart: true },
    { name: 'ccs02', memory: 512, phase: 'install', display: 'vnc', state: 'shutdown' },
  ];
  writeFileSync(file, JSON.stringify({ xen_source_tarball: tarball, xen_source_sha256: createHash('sha256').update(readFileSync(tarball)).digest('hex'), xen_vg: 'vg0', xen_vg_pvs: ['/dev/sda3'], xen_default_boot: true, xen_allow_reboot: true, lvm_guests_backup_lv: 'backup', lvm_guests_iso_source: '/dev/cdrom', xen_guests: guests }));
  return file;
}

/**
 * Runs the selected playbooks other than `site`. `ctx` carries what bench.mjs owns: the
 * Debian lab (`lab`, for loops), startLab/labHostVars (dist/test/lab/lab.js), `labDirs` (the
 * bench's cleanup stops every lab listed there), timed, writeInventory, summarize, cfg,
 * baseEnv, work, repo, rackplayBin, log, `stopped()` and `report()` (rewrites the JSON).
 * Results go to `results[name]`.
 */
export async function runPlaybooks(o, hostsOf, ctx, results) {
  for (const name of o.playbooks.filter((p) => p !== 'site')) {
    const spec = SPECS[name];
    const playbook = path.join(ctx.repo, spec.file);
    const res = (results[name] = { path: spec.file, lab: spec.lab, tasks: undefined, taskHosts: 'recap ok + failed over the hosts (handlers included, a loop task once, skipped tasks not counted)', summary: [], runs: [] });
    let lab = ctx.lab;
    let hostSets;
    let inventoryOf;
    let extraArgs = [];
    if (spec.lab === 'sl44') {
      // Disjoint hosts per count: sl44 hosts cannot be wiped, and each count's converge must start fresh.
      const counts = hostsOf[name];
      const dir = path.join(ctx.work, 'lab-sl44');
      ctx.labDirs.push(dir);
      const t0 = Date.now();
      lab = await ctx.startLab({ count: counts.reduce((a, b) => a + b, 0), flavor: 'sl44', dir, namePrefix: 'sl' });
      ctx.log(`sl44 lab: ${lab.hosts.length} hosts up in ${Date.now() - t0} ms`);
      let at = 0;
      hostSets = counts.map((n) => lab.hosts.slice(at, (at += n)));
      extraArgs = ['-e', `@${sl44Vars(ctx.repo, ctx.work)}`];
      inventoryOf = (hosts, file) => writeFileSync(file, JSON.stringify({ all: { children: { xen_hosts: { hosts: Object.fromEntries(hosts.map((h) => [h.name, ctx.labHostVars(lab, h)])) } } } }));
    } else {
      hostSets = hostsOf[name].filter((n) => n <= lab.hosts.length).map((n) => lab.hosts.slice(0, n));
      inventoryOf = (hosts, file) => ctx.writeInventory(file, lab, hosts);
    }
    for (const hosts of hostSets) {
      const n = hosts.length;
      const inventory = path.join(ctx.work, `inventory-${name}-${n}.${spec.lab === 'sl44' ? 'json' : 'yml'}`);
      inventoryOf(hosts, inventory);
      if (res.tasks === undefined) {
        const listed = await ctx.timed([process.execPath, ctx.rackplayBin, '--list-tasks', '-i', inventory, playbook, ...extraArgs], { env: { ...ctx.baseEnv, ANSIBLE_CONFIG: ctx.cfg.rackplay }, cwd: ctx.work, stdoutFile: path.join(ctx.work, `list-${name}.out`), timeFile: path.join(ctx.work, `list-${name}.time`) });
        res.tasks = listed.output.split('\n').filter((l) => /^\s{6}\S/.test(l)).length;
        ctx.log(`playbook ${name}: ${res.tasks} tasks`);
      }
      const tools = toolsAt(o, name, n);
      for (let round = 0; round < o.runs; round++) {
        for (const [i] of tools.entries()) {
          const tool = tools[(i + round) % tools.length];
          // The Debian hosts are wiped before each converge; the sl44 ones converge once.
          const scenarios = spec.lab === 'sl44' && round > 0 ? ['noop'] : ['converge', 'noop'];
          if (scenarios[0] === 'converge' && spec.lab !== 'sl44') hosts.forEach((h) => rmSync(path.join(h.root, 'srv/bench'), { recursive: true, force: true }));
          for (const scenario of scenarios) await runOne(ctx, res, { name, tool, scenario, hosts, round, inventory, playbook, extraArgs });
        }
      }
    }
    if (spec.lab === 'sl44') await lab.stop();
  }
}

async function runOne(ctx, res, { name, tool, scenario, hosts, round, inventory, playbook, extraArgs }) {
  const n = hosts.length;
  const id = `${name}-${tool}-${n}-${scenario}-${round + 1}`;
  const statsFile = path.join(ctx.work, `${id}.stats.json`);
  const args = ['-i', inventory, playbook, ...extraArgs];
  const argv = tool === 'rackplay' ? [process.execPath, ctx.rackplayBin, ...args] : ['ansible-playbook', ...args];
  const env = { ...ctx.baseEnv, ANSIBLE_CONFIG: ctx.cfg[tool], ...(tool === 'rackplay' ? { RACKPLAY_STATS_FILE: statsFile } : {}) };
  const r = await ctx.timed(argv, { env, cwd: ctx.work, stdoutFile: path.join(ctx.work, `${id}.out`), timeFile: path.join(ctx.work, `${id}.time`) });
  if (ctx.stopped()) throw new Error('stopped by a signal');
  const recap = parseRecap(r.output);
  const reason = r.code !== 0 ? `exit code ${r.code}` : invalidReason(recap, hosts.map((h) => h.name), scenario);
  const sum = (k) => hosts.reduce((a, h) => a + (recap[h.name]?.[k] ?? 0), 0);
  const run = { tool, hosts: n, scenario, round: round + 1, wallMs: Math.round(r.wallMs), cpuMs: r.cpuMs, machineCpuMs: r.machineCpuMs, peakRssMb: r.peakRssMb, valid: !reason, recap: { ok: sum('ok'), changed: sum('changed'), failed: sum('failed'), skipped: sum('skipped') } };
  if (reason) {
    run.invalid = reason;
    ctx.log(`  ! ${id}: ${reason}\n${r.output.split('\n').slice(-15).join('\n')}`);
  }
  if (tool === 'rackplay' && existsSync(statsFile)) {
    run.stats = JSON.parse(readFileSync(statsFile, 'utf8'));
    run.moduleRuns = run.recap.ok + run.recap.failed;
    if (run.moduleRuns) {
      run.execsPerTaskHost = Math.round((run.stats.execs / run.moduleRuns) * 100) / 100;
      run.opsPerTaskHost = Math.round(((run.stats.execs + run.stats.puts + run.stats.gets) / run.moduleRuns) * 100) / 100;
    }
  }
  res.runs.push(run);
  res.summary = ctx.summarize(res.runs);
  ctx.report();
  ctx.log(`  ${name.padEnd(10)} ${tool.padEnd(13)} ${String(n).padStart(3)} hosts  ${scenario.padEnd(8)} round ${round + 1}: ${String(run.wallMs).padStart(7)} ms  cpu ${String(r.cpuMs).padStart(7)} ms (machine ${String(r.machineCpuMs).padStart(7)} ms)  task-hosts ${run.recap.ok + run.recap.failed} (changed ${run.recap.changed}, skipped ${run.recap.skipped})${run.stats ? `  execs ${run.stats.execs} puts ${run.stats.puts} = ${run.execsPerTaskHost} execs/task-host` : ''}`);
}

/** The terminal tables of the extra playbooks, as for `site`. */
export function printPlaybooks(results, runs) {
  let out = '';
  for (const [name, res] of Object.entries(results)) {
    const side = sideBySide(res.summary, runs);
    out += `\nplaybook ${name} (${res.path}, ${res.tasks} tasks; execs/th: ${res.taskHosts}):\n${textTable(side)}\n${side.notes.map((n) => `  ${n}\n`).join('')}\n${runTable(res.summary)}`;
  }
  return out;
}
