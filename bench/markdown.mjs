#!/usr/bin/env node
// Prints the tables of a bench result file as Markdown, for docs/performance.md:
//   node bench/markdown.mjs bench/results/<date>.json
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/markdown.mjs RESULT.json\n');
  process.exit(2);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const row = (cells) => `| ${cells.join(' | ')} |`;
const out = [];
const sec = (ms) => (ms === null || ms === undefined ? '–' : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);

out.push(`Run of ${r.date} (${r.durationS} s${r.interrupted ? ', interrupted: partial' : ''}); ${r.machine.cpus} cores, load average at the end ${r.machine.loadavg.join(' / ')}; ${r.playbook.tasks} tasks; median of ${r.options.runs} rounds.`, '');
out.push(row(['scenario', 'hosts', 'rackplay', 'ansible (default)', 'ansible (tuned)', 'tuned ÷ rackplay']), row(['---', '---:', '---:', '---:', '---:', '---:']));
const get = (tool, hosts, scenario) => r.summary.find((s) => s.tool === tool && s.hosts === hosts && s.scenario === scenario);
const hosts = [...new Set(r.summary.map((s) => s.hosts))].sort((a, b) => a - b);
for (const scenario of ['converge', 'noop', 'check']) {
  for (const h of hosts) {
    const [rp, an, at] = ['rackplay', 'ansible', 'ansible-tuned'].map((t) => get(t, h, scenario));
    if (!rp && !an && !at) continue;
    const ratio = rp?.wallMs && at?.wallMs ? `${(at.wallMs / rp.wallMs).toFixed(1)}×` : '–';
    out.push(row([scenario, h, sec(rp?.wallMs), sec(an?.wallMs), sec(at?.wallMs), ratio]));
  }
}
out.push('', row(['rackplay', 'hosts', 'wall (min..max)', 'controller CPU', 'peak RSS', 'execs', 'puts', 'execs / task-host', 'ops / task-host', 'first remote command']), row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
for (const s of r.summary.filter((s) => s.tool === 'rackplay')) {
  out.push(row([s.scenario, s.hosts, `${sec(s.wallMs)} (${sec(s.minWallMs)}..${sec(s.maxWallMs)})`, sec(s.cpuMs), `${s.peakRssMb} MB`, s.execs, s.puts, s.execsPerTaskHost, s.opsPerTaskHost, `${s.firstExecMs} ms`]));
}
out.push('', row(['ansible-playbook', 'hosts', 'scenario', 'wall (min..max)', 'controller CPU', 'peak RSS']), row(['---', '---:', '---', '---:', '---:', '---:']));
for (const s of r.summary.filter((s) => s.tool !== 'rackplay')) out.push(row([s.tool, s.hosts, s.scenario, `${sec(s.wallMs)} (${sec(s.minWallMs)}..${sec(s.maxWallMs)})`, sec(s.cpuMs), `${s.peakRssMb} MB`]));
out.push('', row(['floor', 'connect', `${r.playbook.tasks} waves of \`true\``, 'per wave', 'total', 'rackplay no-op', 'ratio']), row(['---:', '---:', '---:', '---:', '---:', '---:', '---:']));
for (const [h, f] of Object.entries(r.floor)) {
  const noop = get('rackplay', Number(h), 'noop');
  out.push(row([`${h} hosts`, `${f.connectMs} ms`, `${f.execMs} ms`, `${f.perWaveMs} ms`, `${f.totalMs} ms`, sec(noop?.wallMs), noop ? `${(noop.wallMs / f.totalMs).toFixed(2)}×` : '–']));
}
out.push('', row(['target', 'measured', 'holds']), row(['---', '---', '---']));
for (const t of r.targets.list) out.push(row([t.target, t.value, t.holds === null ? 'not measured' : t.holds ? 'yes' : '**no**']));
if (r.profile) {
  out.push('', `Profile: rackplay no-op at ${r.profile.hosts} hosts, ${sec(r.profile.wallMs)} wall, ${sec(r.profile.cpuMs)} CPU; ${r.profile.totalMs} ms sampled of which ${r.profile.idleMs} ms idle.`, '');
  out.push(row(['self time', 'share', 'function']), row(['---:', '---:', '---']));
  for (const f of r.profile.topFunctions.slice(0, 15)) out.push(row([`${f.selfMs} ms`, `${f.pct}%`, `\`${f.name}\``]));
  out.push('', row(['self time', 'share', 'area']), row(['---:', '---:', '---']));
  for (const f of r.profile.byArea.slice(0, 12)) out.push(row([`${f.selfMs} ms`, `${f.pct}%`, `\`${f.name}\``]));
}
process.stdout.write(out.join('\n') + '\n');
