// community.general.alternatives: one path of an update-alternatives group installed,
// selected, set back to auto or removed, read from `update-alternatives --display` and
// changed with the host's own update-alternatives, as the collection's module does.
//
//   - community.general.alternatives:
//       name: java
//       path: /usr/lib/jvm/java-17-openjdk-amd64/bin/java
//       link: /usr/bin/java
//       priority: 1711
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, defineModule, type Plan, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    path: { type: 'string', minLength: 1 },
    link: { type: 'string' },
    priority: { type: 'integer' },
    state: { type: 'string', enum: ['present', 'selected', 'auto', 'absent'], default: 'selected' },
    subcommands: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, path: { type: 'string' }, link: { type: 'string' } },
        required: ['name', 'path', 'link'],
        additionalProperties: false,
      },
    },
  },
  required: ['name', 'path'],
  additionalProperties: false,
} as const;

export type AlternativesArgs = FromSchema<typeof schema>;
interface Sub {
  name: string;
  path: string;
  link?: string;
}

export interface AlternativesFacts {
  tool: boolean;
  /** `update-alternatives --display NAME`, when it succeeded. */
  display?: string;
  pathExists: boolean;
}

interface Current {
  mode?: string;
  path?: string;
  link?: string;
  alternatives: Map<string, { priority: number; subcommands: Sub[] }>;
}

/** The module's parse() of `--display`. */
export function parseDisplay(out: string | undefined, argSubs: readonly Sub[] | undefined): Current {
  const cur: Current = { alternatives: new Map() };
  if (out === undefined) return cur;
  const mode = /\s-\s(?:status\sis\s)?(\w*)(?:\smode|.)$/m.exec(out);
  if (!mode) return cur;
  cur.mode = mode[1];
  cur.path = /^\s*link currently points to (.*)$/m.exec(out)?.[1];
  cur.link = /^\s*link \w+ is (.*)$/m.exec(out)?.[1];
  let linkOf = new Map([...out.matchAll(/^\s*(?:slave|follower) (\S+) is (.*)$/gm)].map((m) => [m[1], m[2]]));
  if (linkOf.size === 0 && argSubs) linkOf = new Map(argSubs.map((s) => [s.name, s.link!]));
  for (const m of out.matchAll(/^(\/.*)\s-\s(?:family\s\S+\s)?priority\s(\d+)((?:\s+(?:slave|follower).*)*)/gm)) {
    const subs = [...m[3].matchAll(/^\s+(?:slave|follower) (.*): (.*)$/gm)].filter((s) => s[2] !== '(null)').map((s) => ({ name: s[1], path: s[2], link: linkOf.get(s[1]) }));
    cur.alternatives.set(m[1], { priority: Number(m[2]), subcommands: subs });
  }
  return cur;
}

const sameSubs = (a: readonly Sub[], b: readonly Sub[]) =>
  a.every((x) => b.some((y) => y.name === x.name && y.path === x.path && y.link === x.link)) && b.every((y) => a.some((x) => x.name === y.name && x.path === y.path && x.link === y.link));

export function planAlternatives(a: AlternativesArgs, f: AlternativesFacts): Plan {
  if (!f.tool) throw new ModuleFailure('Failed to find required executable "update-alternatives" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  const cur = parseDisplay(f.display, a.subcommands);
  const mine = cur.alternatives.get(a.path);
  const before: Record<string, unknown> = {};
  if (mine) {
    Object.assign(before, { state: 'present', path: a.path, priority: mine.priority, link: cur.link });
    if (mine.subcommands.length) before.subcommands = mine.subcommands;
    if (cur.mode === 'manual' && cur.path !== a.path) before.state = 'selected';
  } else before.state = 'absent';
  const after: Record<string, unknown> = {};
  const steps: Step[] = [];
  const messages: string[] = [];
  const ua = 'update-alternatives';
  if (a.state !== 'absent') {
    const subs = a.subcommands ?? (mine?.subcommands.length ? mine.subcommands : undefined);
    const priority = a.priority ?? mine?.priority ?? 50;
    if (!mine || (a.priority !== undefined && mine.priority !== a.priority) || (a.subcommands !== undefined && !sameSubs(a.subcommands, mine.subcommands))) {
      if (!f.pathExists) throw new ModuleFailure(`Specified path ${a.path} does not exist`);
      const link = a.link ?? cur.link;
      if (!link) throw new ModuleFailure('Needed to install the alternative, but unable to do so as we are missing the link');
      const slaves = (a.subcommands ?? []).flatMap((s) => ['--slave', s.link, s.name, s.path]);
      steps.push({ kind: 'exec', cmd: [ua, '--install', link, a.name, a.path, String(priority), ...slaves].map((w, i) => (i ? quote(w) : w)).join(' ') });
      messages.push(`Install alternative '${a.path}' for '${a.name}'.`);
      Object.assign(after, { state: 'present', path: a.path, priority, link });
      if (subs) after.subcommands = subs;
    }
    if (a.state === 'selected' && cur.path !== a.path) {
      steps.push({ kind: 'exec', cmd: `${ua} --set ${quote(a.name)} ${quote(a.path)}` });
      messages.push(`Set alternative '${a.path}' for '${a.name}'.`);
      after.state = 'selected';
    }
    if (a.state === 'auto' && cur.mode === 'manual') {
      steps.push({ kind: 'exec', cmd: `${ua} --auto ${quote(a.name)}` });
      messages.push(`Set alternative to auto for '${a.name}'.`);
      after.state = 'present';
    }
  } else if (mine) {
    steps.push({ kind: 'exec', cmd: `${ua} --remove ${quote(a.name)} ${quote(a.path)}` });
    messages.push(`Remove alternative '${a.path}' from '${a.name}'.`);
    after.state = 'absent';
  }
  // update-alternatives reports on stdout; the module shows only its own messages
  for (const s of steps) if (s.kind === 'exec') s.cmd = `LC_ALL=C ${s.cmd} >/dev/null`;
  return { steps, result: { msg: messages.join(' '), diff: { before, after } } };
}

export const alternativesModule = defineModule<AlternativesArgs, AlternativesArgs, AlternativesFacts>({
  name: 'alternatives',
  aliases: ['community.general.alternatives'],
  summary: 'Manages alternative programs for common commands',
  checkMode: 'plan',
  argAliases: { slaves: 'subcommands' },
  schema,
  prepare: (args) => args,
  probe: (a) => [SBIN_PATH, haveTools(['update-alternatives']), section('display', `LC_ALL=C update-alternatives --display ${quote(a.name)}`), section('path', `test -e ${quote(a.path)}`)].join('\n'),
  parse: (out: ExecResult) => {
    const s = parseSections(out.stdout);
    return { tool: !!s.have['update-alternatives'], display: s.rc.display === 0 ? s.text.display : undefined, pathExists: s.rc.path === 0 };
  },
  plan: (a, f) => planAlternatives(a, f),
});
