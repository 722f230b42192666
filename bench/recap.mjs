// The PLAY RECAP of a tool's output, and whether a run counts: shared by bench.mjs (the
// site playbook) and playbooks.mjs (the loops playbook and the sl44 roles).

/** host → {ok, changed, unreachable, failed} from a PLAY RECAP. */
export function parseRecap(text) {
  const at = text.lastIndexOf('PLAY RECAP');
  const out = {};
  if (at < 0) return out;
  for (const line of text.slice(at).split('\n').slice(1)) {
    const m = /^(\S+)\s+:\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    out[m[1]] = Object.fromEntries(m[2].trim().split(/\s+/).map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
  }
  return out;
}

/** Why a run does not count (every host must finish; re-runs must change nothing). */
export function invalidReason(recap, hostNames, scenario) {
  const missing = hostNames.filter((h) => !recap[h]);
  if (missing.length) return `no recap for ${missing.length} host(s), e.g. ${missing[0]}`;
  for (const h of hostNames) {
    const r = recap[h];
    if (r.failed || r.unreachable) return `${h}: failed=${r.failed} unreachable=${r.unreachable}`;
    if (scenario === 'converge' && !(r.changed > 0)) return `${h}: converge changed nothing`;
    if (scenario !== 'converge' && r.changed !== 0) return `${h}: ${scenario} run changed ${r.changed}`;
  }
  return undefined;
}
