// The pure half of ansible.builtin.pip: names as the module reads them (specifiers split
// by commas joined back to their package), requirements (name, extras, PEP 440
// specifiers), the installed list from `pip list --format=freeze` / `pip freeze`, and
// whether a request is already met.

const OPERATORS = ['>=', '<=', '>', '<', '==', '!=', '~='];

/** A vcs URL (git+https://...): pip always runs for it. */
export function isVcsUrl(name: string): boolean {
  return /^(svn|git|hg|bzr)\+/.test(name);
}

/** Ansible's _recover_package_name: ['django>1.1', '<1.3', 'six'] → ['django>1.1,<1.3', 'six']. */
export function recoverPackageNames(names: readonly string[]): string[] {
  const parts = names.flatMap((n) => n.split(','));
  const out: string[] = [];
  let current: string[] = [];
  let inBrackets = false;
  for (const name of parts) {
    const isName = !OPERATORS.some((op) => name.trimStart().startsWith(op));
    if (isName && !inBrackets) {
      if (current.length) out.push(current.join(','));
      current = [];
    }
    if (name.includes('[')) inBrackets = true;
    if (inBrackets && name.includes(']')) inBrackets = false;
    current.push(name);
  }
  out.push(current.join(','));
  return out;
}

/** PEP 503 normalised name. */
export function canonicalName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export interface Requirement {
  /** As given, for the pip command line. */
  text: string;
  /** Canonical project name; undefined when the text is no plain requirement (a path, a URL). */
  name?: string;
  specs: [string, string][];
}

const REQ = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(\(?[^;]*?\)?)\s*(;.*)?$/;

/** pkg_resources.Requirement.parse, as far as deciding "already installed" needs. */
export function parseRequirement(text: string, version?: string): Requirement {
  let full = text;
  if (version) {
    const v = version.trimStart();
    full = /^\d/.test(v) ? `${text}==${v}` : `${text} ${v}`;
  }
  const m = REQ.exec(full);
  if (!m) return { text: full, specs: [] };
  const specText = m[3].replace(/^\(|\)$/g, '').trim();
  const specs: [string, string][] = [];
  if (specText) {
    for (const part of specText.split(',')) {
      const s = /^\s*(===|==|!=|<=|>=|~=|<|>)\s*([^\s]+)\s*$/.exec(part);
      if (!s) return { text: full, specs: [] };
      specs.push([s[1], s[2]]);
    }
  }
  // str(Requirement): the name as written, its extras, the specifiers sorted and joined
  const sorted = specs.map(([op, v]) => `${op}${v}`).sort();
  return { text: `${m[1]}${m[2] ?? ''}${sorted.join(',')}${m[4] ? m[4].trim() : ''}`, name: canonicalName(m[1]), specs };
}

interface Version {
  epoch: number;
  release: number[];
  pre?: [number, number];
  post?: number;
  dev?: number;
  local: string;
}

const PRE_KIND: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export function parseVersion(text: string): Version | undefined {
  const m = /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+([a-z0-9.]+))?$/i.exec(text.trim());
  if (!m) return undefined;
  return {
    epoch: Number(m[1] ?? 0),
    release: m[2].split('.').map(Number),
    pre: m[3] ? [PRE_KIND[m[3].toLowerCase()], Number(m[4] || 0)] : undefined,
    post: m[5] !== undefined ? Number(m[5]) : m[6] !== undefined ? Number(m[6] || 0) : undefined,
    dev: m[7] !== undefined ? Number(m[7] || 0) : undefined,
    local: m[8] ?? '',
  };
}

/** PEP 440 ordering. */
export function compareVersions(a: Version, b: Version): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d) return d;
  }
  // dev releases sort before pre-releases, which sort before the release, then post releases
  const key = (v: Version): number[] => [
    v.pre ? v.pre[0] : v.post === undefined && v.dev !== undefined ? -1 : 3,
    v.pre ? v.pre[1] : 0,
    v.post ?? -1,
    v.dev ?? Number.POSITIVE_INFINITY,
  ];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return a.local.localeCompare(b.local);
}

function prefixMatch(v: Version, spec: string): boolean {
  const want = spec.slice(0, -2).split('.').map(Number);
  return want.every((n, i) => (v.release[i] ?? 0) === n);
}

/** Whether an installed version satisfies one specifier (pre-releases allowed, as Ansible asks). */
function satisfies(installed: string, op: string, wanted: string): boolean {
  if (op === '===') return installed === wanted;
  const v = parseVersion(installed);
  if (!v) return false;
  if ((op === '==' || op === '!=') && wanted.endsWith('.*')) return prefixMatch(v, wanted) === (op === '==');
  const w = parseVersion(wanted);
  if (!w) return false;
  const c = compareVersions(v, w);
  switch (op) {
    case '==':
      return c === 0 || (w.local === '' && compareVersions({ ...v, local: '' }, w) === 0);
    case '!=':
      return c !== 0;
    case '>=':
      return c >= 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '<':
      return c < 0;
    case '~=': {
      const prefix = `${w.release.slice(0, Math.max(1, w.release.length - 1)).join('.')}.*`;
      return c >= 0 && prefixMatch(v, prefix);
    }
    default:
      return false;
  }
}

/** name → version from `pip list --format=freeze` / `pip freeze` (lines without == are skipped). */
export function parseFreeze(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('You are using') || line.startsWith('You should consider')) continue;
    const i = line.indexOf('==');
    if (i < 0) continue;
    out.set(canonicalName(line.slice(0, i)), line.slice(i + 2).trim());
  }
  return out;
}

/** Ansible's _is_present: installed, and at a version the specifiers accept. */
export function isPresent(req: Requirement, installed: Map<string, string>): boolean {
  if (!req.name) return false;
  const v = installed.get(req.name);
  return v !== undefined && req.specs.every(([op, w]) => satisfies(v, op, w));
}
