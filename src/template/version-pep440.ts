// PEP 440 versions for the `version` test's version_type='pep440' (Ansible uses the Python
// `packaging` library's Version): epoch, release, pre/post/dev releases and a local part,
// ordered as packaging orders them (1.0.dev0 < 1.0a1 < 1.0 < 1.0.post1 < 1.0+local).
import { TemplateError } from './errors.js';

const PEP440 =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

/** One sort key part: numbers, or the two infinities packaging uses for absent parts. */
type Part = number | string | Part[];

const PRE_LETTER: Record<string, string> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', c: 'rc', pre: 'rc', preview: 'rc', rc: 'rc' };

/** packaging's _cmpkey for a version string; throws packaging's InvalidVersion words. */
export function pep440Key(version: string): Part[] {
  const m = PEP440.exec(version.trim());
  if (!m) throw new TemplateError(`Invalid version: '${version}'`);
  const [, epoch, release, preL, preN, postImplicit, postL, postN, devL, devN, local] = m;
  const rel = release.split('.').map(Number);
  while (rel.length > 1 && rel[rel.length - 1] === 0) rel.pop();
  const hasPost = postImplicit !== undefined || postL !== undefined;
  const hasDev = devL !== undefined;
  // a dev release of a final version sorts before its pre-releases
  const pre: Part = preL === undefined ? (!hasPost && hasDev ? -Infinity : Infinity) : [PRE_LETTER[preL.toLowerCase()], Number(preN ?? 0)];
  const post: Part = hasPost ? Number(postImplicit ?? postN ?? 0) : -Infinity;
  const dev: Part = hasDev ? Number(devN ?? 0) : Infinity;
  // local segments: numbers sort above strings
  const loc: Part = local === undefined ? -Infinity : local.toLowerCase().split(/[-_.]/).map((s) => (/^\d+$/.test(s) ? [Number(s), ''] : [-Infinity, s]));
  return [Number(epoch ?? 0), rel, pre, post, dev, loc];
}

function comparePart(a: Part, b: Part): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = comparePart(a[i], b[i]);
      if (c) return c;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  // an infinity against a tuple: the infinity decides
  if (Array.isArray(a)) return typeof b === 'number' && b === -Infinity ? 1 : -1;
  if (Array.isArray(b)) return typeof a === 'number' && a === -Infinity ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

export function comparePep440(a: string, b: string): number {
  return comparePart(pep440Key(a), pep440Key(b));
}
