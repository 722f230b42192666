// python-apt's `origin` of an installed version without python-apt: `apt-cache policy`
// with no argument names each package file with its Release's `o=` origin, and
// `apt-cache policy NAMES` lists, under each version, the package files that carry it
// (first one first, as python-apt's origins list them). The dpkg status file has no origin.

/** Package file line (`500 http://... bookworm/main amd64 Packages`) → its Release origin. */
function sourceOrigins(sources: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of sources.split('\n')) {
    const file = /^ +-?\d+ (.+)$/.exec(line);
    if (file && !/^ +release /.test(line)) {
      current = file[1].trim();
      out.set(current, '');
      continue;
    }
    const rel = /^ +release (.*)$/.exec(line);
    if (rel && current !== undefined) {
      const o = rel[1].split(',').find((kv) => kv.startsWith('o='));
      out.set(current, o ? o.slice(2) : '');
    }
  }
  return out;
}

/** name → version → origin of the version's first package file. */
export function parsePolicyOrigins(sources: string, policy: string): Record<string, Record<string, string>> {
  const files = sourceOrigins(sources);
  const out: Record<string, Record<string, string>> = {};
  let pkg: string | undefined;
  let version: string | undefined;
  for (const line of policy.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      pkg = head[1].replace(/:[a-z0-9-]+$/, '');
      version = undefined;
      continue;
    }
    if (!pkg) continue;
    const ver = /^(?: \*\*\*| {4}) (\S+) (-?\d+)$/.exec(line);
    if (ver) {
      version = ver[1];
      continue;
    }
    const src = /^ {8}-?\d+ (.+)$/.exec(line);
    if (src && version !== undefined) {
      const byVersion = (out[pkg] ??= {});
      if (!(version in byVersion)) byVersion[version] = files.get(src[1].trim()) ?? '';
    }
  }
  return out;
}
