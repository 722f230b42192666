// The selection of ansible-core integration targets (test/compat/selection.json) and the
// snapshot they come from. Nothing fetched is committed: the targets are extracted from a
// git snapshot of ansible/ansible into the git-ignored .cache/ansible-targets/<ref>/.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function loadSelection(repoRoot) {
  return JSON.parse(readFileSync(path.join(repoRoot, 'test/compat/selection.json'), 'utf8'));
}

/** The snapshot's git directory: $RACKPLAY_ANSIBLE_GIT, else the tool library's mirror beside the checkout. */
export function findSnapshot(repoRoot) {
  const candidates = [process.env.RACKPLAY_ANSIBLE_GIT, path.resolve(repoRoot, '../.mirror/ansible+ansible/repo')].filter(Boolean);
  return candidates.find((dir) => spawnSync('git', ['--git-dir', dir, 'rev-parse', '--git-dir'], { stdio: 'ignore' }).status === 0);
}

const globRe = (p) => new RegExp('^' + p.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*') + '$');

const HIDDEN = 'hidden: ansible-test never runs it on its own, only from the target that includes it (which is what tests it)';

/**
 * Every target of the snapshot: selected, or excluded with the reason of the first rule
 * that names it. A target whose aliases say `hidden` is not run even when selected:
 * ansible-test skips it, and on its own it fails under ansible-playbook too.
 */
export function classify(selection, names, aliasesOf = () => '') {
  const rules = selection.excluded.map((e) => ({ reason: e.reason, res: e.targets.map(globRe) }));
  return names.map((name) => {
    if (selection.selected.includes(name)) return /^hidden\s*$/m.test(aliasesOf(name)) ? { name, selected: false, reason: HIDDEN } : { name, selected: true };
    const rule = rules.find((r) => r.res.some((re) => re.test(name)));
    return { name, selected: false, reason: rule ? rule.reason : 'not reviewed yet: add it to test/compat/selection.json' };
  });
}

export function targetNames(gitDir, ref) {
  const out = execFileSync('git', ['--git-dir', gitDir, 'ls-tree', '--name-only', `${ref}:test/integration/targets`], { encoding: 'utf8' });
  return out.trim().split('\n').filter(Boolean);
}

/** A target's aliases file (ansible-test's tags for it), empty when it has none. */
export function targetAliases(targetsDir, name) {
  const file = path.join(targetsDir, name, 'aliases');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/**
 * Extracts the targets into `<cache>/<ref>/targets/` (once per ref), and returns that
 * folder. All targets are extracted: selected ones depend on others (needs/target/...).
 */
export function extractTargets(repoRoot, gitDir, ref) {
  const dir = path.join(repoRoot, '.cache/ansible-targets', ref);
  const stamp = path.join(dir, '.extracted');
  if (existsSync(stamp)) return path.join(dir, 'targets');
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('git', ['--git-dir', gitDir, 'archive', '--format=tar', ref, 'test/integration/targets'], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr}`);
  const untar = spawnSync('tar', ['-x', '-C', dir, '--strip-components=2'], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  writeFileSync(stamp, `${ref}\n`);
  return path.join(dir, 'targets');
}
