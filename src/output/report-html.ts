// The HTML report (--report html=PATH): one self-contained file (inline CSS and script, no
// network), readable without JavaScript. A matrix of tasks × hosts coloured by status,
// filters by role, tag and status, diffs that expand on click, the recap and the drift
// summary. Rendered here rather than in the browser so that what the file shows is
// testable as text too; the script only filters and toggles.
import { formatDiff } from './diff-format.js';
import type { ReportResult, RunReport } from './report-json.js';
import type { SecretMasker } from './secret-masker.js';

export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** What a cell shows: status, with check-mode unknowns apart from real skips. */
function cellStatus(r: ReportResult): string {
  if (r.unknown) return 'unknown';
  if ((r.status === 'failed' || r.status === 'unreachable') && r.ignored) return 'ignored';
  return r.status;
}

const STATUS_ORDER = ['ok', 'changed', 'failed', 'unreachable', 'skipped', 'unknown', 'ignored'];

function diffHtml(text: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      const cls = line.startsWith('+++') || line.startsWith('---') ? 'dh' : line.startsWith('@@') ? 'dr' : line.startsWith('+') ? 'da' : line.startsWith('-') ? 'dd' : '';
      return `<span${cls ? ` class="${cls}"` : ''}>${htmlEscape(line)}</span>`;
    })
    .join('\n');
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.4em 0 .5em}
.meta{color:#555;margin:0 0 1em}.meta code{background:#f3f3f3;padding:0 .3em}
table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f6f6f6}
.matrix td.cell{text-align:center;min-width:5.5em;font-size:12px}
.s-ok{background:#d9f2d9}.s-changed{background:#ffe9a8}.s-failed{background:#f6b8b8}.s-unreachable{background:#e58a8a}
.s-skipped{background:#d5eef2}.s-unknown{background:#e2d9f3}.s-ignored{background:#f2dede;color:#666}.s-none{background:#fafafa;color:#bbb}
td.has-diff{cursor:pointer;text-decoration:underline dotted}
tr.diff-row td{background:#fcfcfc}
pre.diff{margin:0;font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap}
pre.diff .da{color:#11702c}pre.diff .dd{color:#b31d28}pre.diff .dr{color:#0b7285}pre.diff .dh{font-weight:bold}
.filters{display:flex;gap:1em;align-items:center;flex-wrap:wrap;margin:.5em 0}
.tag{display:inline-block;background:#eee;border-radius:3px;padding:0 .35em;margin-right:.2em;font-size:11px}
.role{color:#666}.counts span{margin-right:1em}
.legend span{display:inline-block;padding:0 .5em;margin-right:.3em;border:1px solid #ddd}
`;

const SCRIPT = `
(function(){
  var rows=[].slice.call(document.querySelectorAll('tr.task-row'));
  var role=document.getElementById('filter-role'),tag=document.getElementById('filter-tag'),status=document.getElementById('filter-status');
  var count=document.querySelector('[data-testid=visible-count]');
  function apply(){
    var n=0;
    rows.forEach(function(r){
      var ok=(!role.value||r.dataset.role===role.value)
        &&(!tag.value||(' '+r.dataset.tags+' ').indexOf(' '+tag.value+' ')>=0)
        &&(!status.value||(' '+r.dataset.statuses+' ').indexOf(' '+status.value+' ')>=0);
      r.hidden=!ok; if(ok)n++;
      document.querySelectorAll('tr.diff-row[data-task="'+r.dataset.task+'"]').forEach(function(d){ if(!ok) d.hidden=true; });
    });
    count.textContent=String(n);
  }
  [role,tag,status].forEach(function(s){s.addEventListener('change',apply);});
  document.querySelectorAll('td.has-diff').forEach(function(td){
    td.addEventListener('click',function(){
      var d=document.getElementById(td.dataset.diff);
      d.hidden=!d.hidden; td.setAttribute('aria-expanded',String(!d.hidden));
    });
  });
  apply();
})();
`;

export function renderHtmlReport(report: RunReport, masker?: SecretMasker): string {
  const r = masker ? masker.maskValue(report) : report;
  const e = htmlEscape;
  const hosts = r.hosts;
  const roles = [...new Set(r.tasks.map((t) => t.role ?? ''))].sort();
  const tags = [...new Set(r.tasks.flatMap((t) => t.tags))].sort();
  const totals: Record<string, number> = Object.fromEntries(STATUS_ORDER.map((s) => [s, 0]));
  let diffId = 0;
  const rows: string[] = [];
  r.tasks.forEach((t, ti) => {
    const byHost = new Map<string, ReportResult>();
    // A task that ran more than once on a host (a handler, an include in a loop) shows its last result.
    for (const res of t.results) byHost.set(res.host, res);
    const statuses = new Set<string>();
    const diffs: string[] = [];
    const cells = hosts.map((h) => {
      const res = byHost.get(h);
      if (!res) return `<td class="cell s-none" data-host="${e(h)}">–</td>`;
      const st = cellStatus(res);
      statuses.add(st);
      totals[st] = (totals[st] ?? 0) + 1;
      const title = [res.msg, res.duration_ms !== undefined ? `${res.duration_ms} ms` : ''].filter(Boolean).join(' — ');
      const diffText = res.diff?.length ? formatDiff(res.diff, false) : '';
      if (diffText) {
        const id = `diff-${diffId++}`;
        diffs.push(
          `<tr class="diff-row" id="${id}" data-task="${ti}" hidden><td colspan="${hosts.length + 1}"><strong>${e(t.name)}</strong> on <strong>${e(h)}</strong><pre class="diff">${diffHtml(diffText)}</pre></td></tr>`,
        );
        return `<td class="cell s-${st} has-diff" data-host="${e(h)}" data-status="${st}" data-diff="${id}" aria-expanded="false" title="${e(title)}">${st} ±</td>`;
      }
      return `<td class="cell s-${st}" data-host="${e(h)}" data-status="${st}" title="${e(title)}">${st}</td>`;
    });
    const tagHtml = t.tags.map((g) => `<span class="tag">${e(g)}</span>`).join('');
    rows.push(
      `<tr class="task-row" data-task="${ti}" data-role="${e(t.role ?? '')}" data-tags="${e(t.tags.join(' '))}" data-statuses="${[...statuses].join(' ')}">` +
        `<th scope="row">${e(t.name)}${t.handler ? ' <span class="tag">handler</span>' : ''} ${tagHtml}<div class="role">${e(t.action)}${t.path ? ` · ${e(t.path)}` : ''}</div></th>${cells.join('')}</tr>`,
      ...diffs,
    );
  });

  const recapHosts = Object.keys(r.recap).sort();
  const recapRows = recapHosts
    .map((h) => {
      const s = r.recap[h]!;
      const cls = s.failed || s.unreachable ? 's-failed' : s.changed ? 's-changed' : 's-ok';
      return `<tr data-host="${e(h)}"><th class="${cls}">${e(h)}</th>${(['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'] as const)
        .map((k) => `<td data-stat="${k}">${s[k]}</td>`)
        .join('')}</tr>`;
    })
    .join('\n');

  const d = r.drift;
  const driftVerb = d.mode === 'check' ? 'would change' : 'changed';
  const driftHtml = d.hosts.length
    ? d.hosts
        .map(
          (h) =>
            `<li data-host="${e(h.host)}"><strong>${e(h.host)}</strong>: ${h.changed} ${driftVerb}${h.unknown ? `, ${h.unknown} unknown` : ''}<ul>` +
            h.roles.map((g) => `<li>${g.role === null ? '(no role)' : `role ${e(g.role)}`}: ${g.tasks.map((t) => e(t.name)).join(', ')}</li>`).join('') +
            (h.unknown_tasks.length ? `<li>unknown: ${h.unknown_tasks.map((t) => e(t.name)).join(', ')}</li>` : '') +
            `</ul></li>`,
        )
        .join('\n')
    : `<li>${d.mode === 'check' ? 'no drift: nothing would change' : 'nothing changed'}</li>`;

  const opt = (v: string, label: string) => `<option value="${e(v)}">${e(label)}</option>`;
  const title = `rackplay ${r.run.check ? 'check' : 'run'}${r.run.playbook ? `: ${r.run.playbook}` : ''}`;
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${e(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${e(title)}</h1>
<p class="meta">rackplay ${e(r.run.version)} · ${r.run.check ? '<strong>check mode</strong> · ' : ''}started ${e(r.run.started_at)} · ${(r.run.duration_ms / 1000).toFixed(1)} s · exit code <span data-testid="exit-code">${r.run.exit_code}</span><br><code>rackplay ${e(r.run.command_line.join(' '))}</code></p>
<p class="counts" data-testid="counts">${STATUS_ORDER.map((s) => `<span class="s-${s}" data-count="${s}">${s}: <b>${totals[s]}</b></span>`).join('')}</p>

<h2>Recap</h2>
<table class="recap" data-testid="recap"><thead><tr><th>host</th><th>ok</th><th>changed</th><th>unreachable</th><th>failed</th><th>skipped</th><th>rescued</th><th>ignored</th></tr></thead>
<tbody>
${recapRows}
</tbody></table>

<h2>${d.mode === 'check' ? 'Drift' : 'Changes'}</h2>
<ul class="drift" data-testid="drift">
${driftHtml}
</ul>

<h2>Tasks × hosts</h2>
<div class="filters">
<label>role <select id="filter-role">${opt('', 'all')}${roles.map((x) => opt(x, x || '(no role)')).join('')}</select></label>
<label>tag <select id="filter-tag">${opt('', 'all')}${tags.map((x) => opt(x, x)).join('')}</select></label>
<label>status <select id="filter-status">${opt('', 'all')}${STATUS_ORDER.map((x) => opt(x, x)).join('')}</select></label>
<span><span data-testid="visible-count">${r.tasks.length}</span> of ${r.tasks.length} tasks</span>
<span class="legend">${STATUS_ORDER.map((s) => `<span class="s-${s}">${s}</span>`).join('')}</span>
</div>
<table class="matrix" data-testid="matrix">
<thead><tr><th>task</th>${hosts.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
${r.warnings.length ? `<h2>Warnings</h2><ul>${r.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : ''}
${r.errors.length ? `<h2>Errors</h2><ul>${r.errors.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : ''}
<script>${SCRIPT}</script>
</body>
</html>
`;
  return masker ? masker.mask(html) : html;
}
