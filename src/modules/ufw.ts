// community.general.ufw: ufw's state, default policies, logging and one rule, by running
// `ufw` on the host as Ansible's module does. Its verdict on `changed` is Ansible's: the
// `ufw status verbose` and `### tuple` lines of the user rules before and after (and in
// check mode, a `ufw --dry-run` of the rule). The read half (status, rules, version and
// the rule's dry run, all read-only) is this module's guard, so it joins the batched probe
// and a task already in place costs no exec of its own; the commands then run in one exec.
//
//   - community.general.ufw:
//       rule: allow
//       port: "22"
//       proto: tcp
//       from_ip: 10.0.0.0/8
//       comment: ssh from the lab
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';
import {
  UFW_RULE_FILES,
  commandLine,
  commentSupported,
  defaultChanged,
  insertPosition,
  lineWords,
  loggingChanged,
  ruleWords,
  ruleWouldChange,
  stateChanged,
  ufwArgError,
  ufwKeys,
  ufwVersion,
  type UfwArgs,
} from './ufw-plan.js';

const schema = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['enabled', 'disabled', 'reloaded', 'reset'] },
    default: { type: 'string', enum: ['allow', 'deny', 'reject'] },
    logging: { type: 'string', enum: ['full', 'high', 'low', 'medium', 'off', 'on'] },
    direction: { type: 'string', enum: ['in', 'incoming', 'out', 'outgoing', 'routed'] },
    delete: { type: 'boolean', default: false },
    route: { type: 'boolean', default: false },
    insert: { type: 'integer' },
    insert_relative_to: { type: 'string', enum: ['zero', 'first-ipv4', 'last-ipv4', 'first-ipv6', 'last-ipv6'], default: 'zero' },
    rule: { type: 'string', enum: ['allow', 'deny', 'limit', 'reject'] },
    interface: { type: 'string' },
    interface_in: { type: 'string' },
    interface_out: { type: 'string' },
    log: { type: 'boolean', default: false },
    from_ip: { type: 'string', default: 'any' },
    from_port: { type: 'string' },
    to_ip: { type: 'string', default: 'any' },
    to_port: { type: 'string' },
    proto: { type: 'string', enum: ['ah', 'any', 'esp', 'ipv6', 'tcp', 'udp', 'gre', 'igmp'] },
    name: { type: 'string' },
    comment: { type: 'string' },
  },
  additionalProperties: false,
} as const;

type Args = FromSchema<typeof schema>;

const ENV = 'LANG=C LC_ALL=C LC_MESSAGES=C; export LANG LC_ALL LC_MESSAGES';
const GREP_ARGS = `-h '^### tuple' ${UFW_RULE_FILES.join(' ')}`;

/** A command line Ansible would run, as shell words after the binary held in $ufw. */
const shellLine = (line: string) =>
  lineWords(line)
    .slice(1)
    .map((w) => quote(w))
    .join(' ');

const needsNumbered = (a: UfwArgs) => !!a.rule && a.insert !== undefined && !a.delete && (a.insert_relative_to ?? 'zero') !== 'zero';

/** Everything the task reads first: status, rules, version and the rule's dry run. */
function guardScript(a: UfwArgs): string {
  const parts = [
    SBIN_PATH,
    ENV,
    `if ufw=$(command -v ufw); then printf '@@bin-ufw %s\\n' "$ufw"; else printf '@@noufw %s\\n' "$PATH"; exit 0; fi`,
    `grep=$(command -v grep); printf '@@bin-grep %s\\n' "$grep"`,
    section('status', '"$ufw" status verbose'),
    section('rules', `"$grep" ${GREP_ARGS} 2>/dev/null`),
  ];
  if (a.rule) {
    parts.push(section('version', '"$ufw" --version'));
    if (needsNumbered(a)) parts.push(section('numbered', '"$ufw" status numbered'));
    else parts.push(section('dry', `"$ufw" --dry-run ${shellLine(`ufw ${ruleWords(a, a.insert, true)}`)}`));
  }
  return parts.join('\n');
}

function fail(msg: string, commands: string[], fields: Record<string, unknown> = {}): never {
  throw new ModuleFailure(msg, { ...fields, commands });
}

/** A command's output as Ansible's message: the probe's sections drop its final newline. */
const outputMsg = (text: string | undefined) => (text ? `${text}\n` : '');

async function runUfw(args: Args, ctx: RunContext): Promise<ModuleResult> {
  const a = args as UfwArgs;
  const bad = ufwArgError(a);
  if (bad) throw new ModuleFailure(bad);
  const script = guardScript(a);
  const out = (await ctx.batchedGuard?.(script)) ?? (await ctx.exec(script));
  const noUfw = /^@@noufw (.*)$/m.exec(out.stdout);
  if (noUfw) {
    const dirs = noUfw[1].split(':');
    for (const d of ['/sbin', '/usr/sbin', '/usr/local/sbin']) if (!dirs.includes(d)) dirs.push(d);
    throw new ModuleFailure(`Failed to find required executable "ufw" in paths: ${dirs.join(':')}`);
  }
  const ufw = /^@@bin-ufw (.*)$/m.exec(out.stdout)?.[1] ?? 'ufw';
  const grep = /^@@bin-grep (.*)$/m.exec(out.stdout)?.[1] || 'grep';
  const s = parseSections(out.stdout);
  const cmds = [`${ufw} status verbose`, `${grep} ${GREP_ARGS}`];
  if (s.rc.status !== 0) fail(outputMsg(s.text.status), cmds);
  const preState = s.text.status ?? '';
  const preRules = s.text.rules ?? '';

  let changed = false;
  let needed = false;
  const toRun: string[] = [];
  for (const key of ufwKeys(a)) {
    if (key === 'state') {
      if (a.state === 'reloaded' || a.state === 'reset') changed = true;
      needed ||= stateChanged(a.state!, preState);
      if (!ctx.check) toRun.push(commandLine(ufw, 'state', a, false));
    } else if (key === 'logging') {
      // Ansible's verdict on logging counts in both modes, even when the status hides it
      const c = loggingChanged(a.logging!, preState);
      changed ||= c;
      needed ||= c;
      if (!ctx.check) toRun.push(commandLine(ufw, 'logging', a, false));
    } else if (key === 'default') {
      if (ctx.check) changed ||= defaultChanged(a, preState);
      else toRun.push(commandLine(ufw, 'default', a, false));
      needed ||= defaultChanged(a, preState, true);
    } else {
      cmds.push(...toRun.splice(0), `${ufw} --version`);
      const version = ufwVersion(s.text.version ?? '');
      if (!version) fail('Failed to get ufw version.', cmds, { rc: 0, out: s.text.version ?? '' });
      let dry = { text: s.text.dry, rc: s.rc.dry };
      let insertAt = a.insert;
      if (needsNumbered(a)) insertAt = insertPosition(a, s.text.numbered ?? '');
      const words = ruleWords(a, insertAt, commentSupported(version));
      if (needsNumbered(a) || !commentSupported(version)) {
        // the guard could not know the words: one more read
        const r = await ctx.exec(`${SBIN_PATH}\n${ENV}\nufw=${quote(ufw)}\n${section('dry', `"$ufw" --dry-run ${shellLine(`ufw ${words}`)}`)}`);
        const d = parseSections(r.stdout);
        dry = { text: d.text.dry, rc: d.rc.dry };
      }
      const line = `${ufw}${ctx.check ? ' --dry-run' : ''} ${words}`;
      if (ctx.check) cmds.push(line);
      if (dry.rc !== 0) fail(outputMsg(dry.text), ctx.check ? cmds : [...cmds, line]);
      const c = ruleWouldChange(a, preRules, dry.text ?? '');
      if (ctx.check) changed ||= c;
      else toRun.push(line);
      needed ||= c;
    }
  }
  if (ctx.check) return { changed, commands: cmds };
  cmds.push(...toRun);
  if (!needed) {
    // what Ansible's run would find: nothing to change, so the status after is the status before
    cmds.push(`${ufw} status verbose`);
    if (!changed) cmds.push(`${grep} ${GREP_ARGS}`);
    return { changed, commands: cmds, msg: preState.trimEnd() };
  }
  const lines = cmds.slice(2).filter((l) => !l.endsWith(' --version'));
  const run = [
    SBIN_PATH,
    ENV,
    `ufw=${quote(ufw)}`,
    ...lines.map((l, i) => `echo '@@c${i}'; { "$ufw" ${shellLine(l)}\n} 2>&1; r=$?; echo "@@rc $r"; [ $r -eq 0 ] || exit 0`),
    section('status', '"$ufw" status verbose'),
    section('rules', `${quote(grep)} ${GREP_ARGS} 2>/dev/null`),
  ].join('\n');
  const r = parseSections((await ctx.exec(run)).stdout);
  for (const [i, l] of lines.entries()) {
    if (r.rc[`c${i}`] !== 0) fail(outputMsg(r.text[`c${i}`]) || `${l} did not run`, cmds.slice(0, cmds.indexOf(l) + 1));
  }
  cmds.push(`${ufw} status verbose`);
  if (r.rc.status !== 0) fail(outputMsg(r.text.status), cmds);
  const postState = r.text.status ?? '';
  if (!changed) {
    cmds.push(`${grep} ${GREP_ARGS}`);
    changed = postState !== preState || (r.text.rules ?? '') !== preRules;
  }
  return { changed, commands: cmds, msg: postState.trimEnd() };
}

export const ufwModule = defineModule<Args>({
  name: 'ufw',
  aliases: ['community.general.ufw'],
  summary: "Manage ufw's state, policies, logging and rules (community.general)",
  schema,
  argAliases: { policy: 'default', if: 'interface', if_in: 'interface_in', if_out: 'interface_out', from: 'from_ip', src: 'from_ip', dest: 'to_ip', to: 'to_ip', port: 'to_port', protocol: 'proto', app: 'name' },
  constraints: {
    mutually_exclusive: [
      ['name', 'proto', 'logging'],
      ['direction', 'interface_in'],
      ['direction', 'interface_out'],
    ],
    required_one_of: [['state', 'default', 'rule', 'logging']],
  },
  checkMode: 'run',
  run: runUfw,
  guard: (args) => guardScript(args as UfwArgs),
});
