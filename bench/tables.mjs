// The side-by-side table of a bench result (scenario × hosts, a column per tool), shared by
// bench.mjs's terminal output and markdown.mjs's Markdown so the two cannot disagree.

/** The `state` of a run that started from the hosts as rackplay's converge left them. */
export const CONVERGED_BY_RACKPLAY = 'converged by rackplay';

export const sec = (ms) => (ms === null || ms === undefined ? '–' : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);

/**
 * Rows scenario × hosts; columns rackplay | ansible (default) | ansible (tuned) | tuned ÷ rackplay.
 * `rounds` is the bench's --runs: a cell whose median has fewer valid runs says how many, since
 * a single run (the tuned no-op at 50 hosts, or what an interrupted run kept) is no median.
 */
export function sideBySide(summary, rounds) {
  const get = (tool, hosts, scenario) => summary.find((s) => s.tool === tool && s.hosts === hosts && s.scenario === scenario);
  const hostCounts = [...new Set(summary.map((s) => s.hosts))].sort((a, b) => a - b);
  let fewer = false;
  let onRackplayState = false;
  const cell = (s) => {
    if (!s) return '–';
    if (!s.wallMs) return `– (0/${s.runs} valid)`;
    let c = sec(s.wallMs);
    if (s.valid < rounds) {
      c += ` (${s.valid} run${s.valid === 1 ? '' : 's'})`;
      fewer = true;
    }
    if (s.state === CONVERGED_BY_RACKPLAY) {
      c += ' †';
      onRackplayState = true;
    }
    return c;
  };
  const rows = [];
  for (const scenario of ['converge', 'noop', 'check']) {
    for (const h of hostCounts) {
      const [rp, an, at] = ['rackplay', 'ansible', 'ansible-tuned'].map((t) => get(t, h, scenario));
      if (!rp && !an && !at) continue;
      const ratio = rp?.wallMs && at?.wallMs ? `${(at.wallMs / rp.wallMs).toFixed(1)}×` : '–';
      rows.push([scenario, String(h), cell(rp), cell(an), cell(at), ratio]);
    }
  }
  const notes = [];
  if (fewer) notes.push(`(n runs): fewer valid runs than the ${rounds} rounds; one run is a single measurement, not a median.`);
  if (onRackplayState) notes.push("†: ansible-playbook's no-op re-run on the hosts as rackplay's converge left them (no converge of its own there); every host reporting changed=0 is what shows that state converged.");
  return { head: ['scenario', 'hosts', 'rackplay', 'ansible (default)', 'ansible (tuned)', 'tuned ÷ rackplay'], align: ['l', 'r', 'r', 'r', 'r', 'r'], rows, notes };
}

export function markdownTable({ head, align, rows }) {
  const row = (cells) => `| ${cells.join(' | ')} |`;
  return [row(head), row(align.map((a) => (a === 'r' ? '---:' : '---'))), ...rows.map(row)].join('\n');
}

export function textTable({ head, align, rows }) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => (align[i] === 'r' ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd()).join('\n');
}

/** Every summary row of a result (one per tool, hosts, scenario), as plain text. */
export function runTable(summary) {
  const head = ['tool', 'hosts', 'scenario', 'valid', 'wall ms', 'min..max', 'cpu ms', 'rss MB', 'execs/th', 'ops/th', '1st exec'];
  const rows = summary.map((s) => [s.tool, s.hosts, `${s.scenario}${s.state === CONVERGED_BY_RACKPLAY ? ' †' : ''}`, `${s.valid}/${s.runs}`, s.wallMs ?? '-', s.minWallMs === null ? '-' : `${s.minWallMs}..${s.maxWallMs}`, s.cpuMs ?? '-', s.peakRssMb ?? '-', s.execsPerTaskHost ?? '', s.opsPerTaskHost ?? '', s.firstExecMs ?? ''].map(String));
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i < 3 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n') + '\n';
}

/** Seconds at n hosts from [hosts, s] points: linear between them and along the last segment beyond (for the printed estimates). */
export function interpolate(points, n) {
  if (points.length === 1) return points[0][1] * (n / points[0][0]);
  const above = points.findIndex(([h]) => h >= n);
  const i = above === -1 ? points.length - 1 : Math.max(above, 1);
  const [[h0, s0], [h1, s1]] = [points[i - 1], points[i]];
  return Math.max(0.1, s0 + ((s1 - s0) * (n - h0)) / (h1 - h0));
}
