// The "Public roles" section of docs/compat.md: which public roles are measured, at which
// commits, and their last results (stored in test/compat/public-roles.json by
// `npm run roles-compat -- --doc`). Both generators of docs/compat.md call this, so a full
// compat run keeps the section and a roles run keeps the targets table.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const HEADING = '## Public roles';
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A converge's first run: its recap, or where it failed. */
function convergeCell(c) {
  if (!c) return 'not run';
  const r = c.recap;
  if (c.rc === 0 && r && r.failed === 0 && r.unreachable === 0) return `ok (ok=${r.ok} changed=${r.changed})`;
  return cell(`failed (rc ${c.rc}${r ? `, ok=${r.ok} changed=${r.changed} failed=${r.failed}` : ''})${c.failure ? `: ${c.failure.slice(0, 160)}` : ''}`);
}

/** The re-run: its changed count (the idempotence measure), and whether it failed. */
function rerunCell(c) {
  if (!c) return 'not run';
  const r = c.rerun?.recap;
  if (!r) return cell(`no recap (rc ${c.rerun?.rc})`);
  return `changed=${r.changed}${r.failed || c.rerun.rc !== 0 ? ` (failed=${r.failed}, rc ${c.rerun.rc})` : ''}`;
}

export function publicRolesSection(repoRoot) {
  const spec = JSON.parse(readFileSync(path.join(repoRoot, 'test/compat/public-roles.json'), 'utf8'));
  const byName = new Map((spec.results ?? []).map((r) => [r.name, r]));
  const out = [HEADING, ''];
  out.push('Widely used public roles, run unchanged through their own molecule converge playbook');
  out.push(`(\`${spec.playbook}\`) by \`npm run roles-compat\` (scripts/roles-compat.mjs), side by side with`);
  out.push('ansible-playbook. The roles are extracted from snapshots at these commits and never committed.');
  out.push('`--converge` runs the play with rackplay on a fresh Debian lab host (the `role-host` flavor of');
  out.push('docs/lab.md: real systemd, its own dpkg/apt state and network namespace, packages from a local');
  out.push('repository of real Debian .debs), then runs it again: the re-run should change nothing.');
  out.push('`--converge-ansible` does the same with ansible-playbook on a second fresh host. What the');
  out.push('machine\'s kernel cannot safely host is SIMULATED there, as docs/lab.md lists: swapon/swapoff');
  out.push('(geerlingguy.swap) and vm.swappiness; the host has no CAP_SYS_TIME (geerlingguy.ntp).', '');
  out.push('| role | commit | --syntax-check | --list-tasks | converge (rackplay) | re-run (rackplay) | ansible-playbook converge, re-run |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const role of spec.roles) {
    const r = byName.get(role.name) ?? {};
    const show = (v) => (r.unavailable ? 'not run' : v === undefined ? 'not run' : v === 'same' ? 'same as ansible-playbook' : cell(v));
    const theirs = r.convergeAnsible ? `${convergeCell(r.convergeAnsible)}, ${rerunCell(r.convergeAnsible)}` : 'not run';
    out.push(`| [${role.name}](https://github.com/${role.repo}) | \`${role.commit.slice(0, 12)}\` | ${show(r.syntax)} | ${show(r['list-tasks'])} | ${convergeCell(r.converge)} | ${rerunCell(r.converge)} | ${theirs} |`);
  }
  const idem = spec.roles.filter((role) => {
    const c = byName.get(role.name)?.converge;
    return c && c.rc === 0 && c.rerun?.rc === 0 && c.rerun?.recap?.changed === 0;
  }).length;
  out.push('', `${idem} of ${spec.roles.length} roles converge under rackplay and re-run with changed=0.`);
  const withAbsent = spec.roles.filter((role) => role.absent?.length);
  if (withAbsent.length) {
    out.push('', 'Removed on the fresh host before the converge, so that the role installs them (the host\'s dpkg state is a copy of the machine\'s, which has them):', '');
    for (const role of withAbsent) out.push(`- ${role.name}: ${role.absent.map((p) => `\`${p}\``).join(', ')}`);
  }
  const withVars = spec.roles.filter((role) => role.labVars);
  if (withVars.length) {
    out.push('', 'Extra vars the converge stage passes (`-e`), only where the lab\'s own access would break:', '');
    for (const role of withVars) out.push(`- ${role.name}: \`${cell(JSON.stringify(role.labVars))}\` (${role.labVarsWhy ?? 'no reason given'})`);
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
