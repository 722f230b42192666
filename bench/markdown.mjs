#!/usr/bin/env node
// Prints the tables of a bench result file as Markdown, for docs/performance.md:
//   node bench/markdown.mjs bench/results/<date>.json
import { readFileSync } from 'node:fs';
import { CONVERGED_BY_RACKPLAY, markdownTable, sec, sideBySide } from './tables.mjs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/markdown.mjs RESULT.json\n');
  process.exit(2);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const row = (cells) => `| ${cells.join(' | ')} |`;
const out = [];

// A run with --playbooks that left out `site` has no site tables.
const withSite = r.summary.length > 0;
out.push(`Run of ${r.date} (${r.durationS} s${r.interrupted ? ', interrupted: partial' : ''}); ${r.machine.cpus} cores, load average at the end ${r.machine.loadavg.join(' / ')}; ${withSite ? `${r.playbook.tasks} tasks; ` : ''}median of ${r.options.runs} round${r.options.runs === 1 ? '' : 's'}.`, '');
const get = (tool, hosts, scenario) => r.summary.find((s) => s.tool === tool && s.hosts === hosts && s.scenario === scenario);
if (withSite) site();

function site() {
  const side = sideBySide(r.summary, r.options.runs);
  out.push(markdownTable(side));
  if (side.notes.length) out.push('', ...side.notes.map((n) => `${n}  `));
  out.push('', row(['rackplay', 'hosts', 'wall (min..max)', 'controller CPU', 'peak RSS', 'execs', 'puts', 'execs / task-host', 'ops / task-host', 'first remote command']), row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const s of r.summary.filter((s) => s.tool === 'rackplay')) {
    out.push(row([s.scenario, s.hosts, `${sec(s.wallMs)} (${sec(s.minWallMs)}..${sec(s.maxWallMs)})`, sec(s.cpuMs), `${s.peakRssMb} MB`, s.execs, s.puts, s.execsPerTaskHost, s.opsPerTaskHost, `${s.firstExecMs} ms`]));
  }
  out.push('', row(['ansible-playbook', 'hosts', 'scenario', 'wall (min..max)', 'controller CPU', 'peak RSS']), row(['---', '---:', '---', '---:', '---:', '---:']));
  for (const s of r.summary.filter((s) => s.tool !== 'rackplay')) out.push(row([s.tool, s.hosts, `${s.scenario}${s.state === CONVERGED_BY_RACKPLAY ? ' †' : ''}`, `${sec(s.wallMs)} (${sec(s.minWallMs)}..${sec(s.maxWallMs)})${s.valid < r.options.runs ? `, ${s.valid} run${s.valid === 1 ? '' : 's'}` : ''}`, sec(s.cpuMs), `${s.peakRssMb} MB`]));
  if (Object.keys(r.floor).length) out.push('', row(['floor', 'connect', `${r.playbook.tasks} waves of \`true\``, 'per wave', 'total', 'rackplay no-op', 'ratio']), row(['---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const [h, f] of Object.entries(r.floor)) {
    const noop = get('rackplay', Number(h), 'noop');
    out.push(row([`${h} hosts`, `${f.connectMs} ms`, `${f.execMs} ms`, `${f.perWaveMs} ms`, `${f.totalMs} ms`, sec(noop?.wallMs), noop ? `${(noop.wallMs / f.totalMs).toFixed(2)}×` : '–']));
  }
  out.push('', row(['target', 'measured', 'holds']), row(['---', '---', '---']));
  for (const t of r.targets.list) out.push(row([t.target, t.value, t.holds === null ? 'not measured' : t.holds ? 'yes' : '**no**']));
}
// The other playbooks (--playbooks; bench/playbooks.mjs): the same two tables each.
for (const [name, p] of Object.entries(r.playbooks ?? {})) {
  out.push('', `Playbook \`${name}\` (\`${p.path}\`, ${p.tasks} tasks, ${p.lab} lab hosts); execs per task-host: ${p.taskHosts}.`, '');
  const ps = sideBySide(p.summary, r.options.runs);
  out.push(markdownTable(ps));
  if (ps.notes.length) out.push('', ...ps.notes.map((n) => `${n}  `));
  // Machine CPU: the controller's and the lab hosts' on the same cores (median over the runs that recorded it).
  const machine = (s) => {
    const xs = p.runs.filter((x) => x.tool === s.tool && x.hosts === s.hosts && x.scenario === s.scenario && x.valid && x.machineCpuMs !== undefined).map((x) => x.machineCpuMs).sort((a, b) => a - b);
    return xs.length ? sec(xs[xs.length >> 1]) : '–';
  };
  out.push('', row(['rackplay', 'hosts', 'wall (min..max)', 'controller CPU', 'machine CPU', 'execs', 'puts', 'execs / task-host', 'ops / task-host']), row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const s of p.summary.filter((s) => s.tool === 'rackplay')) out.push(row([s.scenario, s.hosts, `${sec(s.wallMs)} (${sec(s.minWallMs)}..${sec(s.maxWallMs)})`, sec(s.cpuMs), machine(s), s.execs, s.puts, s.execsPerTaskHost, s.opsPerTaskHost]));
}
if (r.profile) {
  out.push('', `Profile: rackplay no-op at ${r.profile.hosts} hosts, ${sec(r.profile.wallMs)} wall, ${sec(r.profile.cpuMs)} CPU; ${r.profile.totalMs} ms sampled of which ${r.profile.idleMs} ms idle.`, '');
  out.push(row(['self time', 'share', 'function']), row(['---:', '---:', '---']));
  for (const f of r.profile.topFunctions.slice(0, 15)) out.push(row([`${f.selfMs} ms`, `${f.pct}%`, `\`${f.name}\``]));
  out.push('', row(['self time', 'share', 'area']), row(['---:', '---:', '---']));
  for (const f of r.profile.byArea.slice(0, 12)) out.push(row([`${f.selfMs} ms`, `${f.pct}%`, `\`${f.name}\``]));
}
process.stdout.write(out.join('\n') + '\n');
