// The "Public roles" section of docs/compat.md: which public roles are measured, at which
// commits, and their last results (stored in test/compat/public-roles.json by
// `npm run roles-compat -- --doc`). Both generators of docs/compat.md call this, so a full
// compat run keeps the section and a roles run keeps the targets table.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const HEADING = '## Public roles';
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function publicRolesSection(repoRoot) {
  const spec = JSON.parse(readFileSync(path.join(repoRoot, 'test/compat/public-roles.json'), 'utf8'));
  const byName = new Map((spec.results ?? []).map((r) => [r.name, r]));
  const out = [HEADING, ''];
  out.push('Widely used public roles, run unchanged through their own molecule converge playbook');
  out.push(`(\`${spec.playbook}\`) by \`npm run roles-compat\` (scripts/roles-compat.mjs), side by side with`);
  out.push('ansible-playbook. The roles are extracted from snapshots at these commits and never committed.', '');
  out.push('| role | commit | --syntax-check | --list-tasks |', '| --- | --- | --- | --- |');
  for (const role of spec.roles) {
    const r = byName.get(role.name) ?? {};
    const show = (v) => (r.unavailable ? 'not run' : v === undefined ? 'not run' : v === 'same' ? 'same as ansible-playbook' : cell(v));
    out.push(`| [${role.name}](https://github.com/${role.repo}) | \`${role.commit.slice(0, 12)}\` | ${show(r.syntax)} | ${show(r['list-tasks'])} |`);
  }
  return out.join('\n') + '\n';
}

/** Replaces (or appends) the section in docs/compat.md. */
export function writePublicRolesSection(repoRoot) {
  const file = path.join(repoRoot, 'docs/compat.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = text.indexOf(`\n${HEADING}\n`);
  const section = publicRolesSection(repoRoot);
  if (start < 0) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + HEADING.length + 1);
  const rest = next < 0 ? '' : text.slice(next);
  writeFileSync(file, `${text.slice(0, start)}\n${section}${rest}`);
}
