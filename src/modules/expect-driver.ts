// The pure half of ansible.builtin.expect on shell alone: Ansible's Python patterns as
// POSIX extended regexps for grep, and the sh script that runs the command on a pty
// (util-linux `script`), watches its output and answers each prompt, as pexpect.run does:
// the earliest match in the output not yet answered wins, a list of responses is used in
// turn, and `timeout` seconds without a match end the command.
import { translatePyPattern } from '../template/regex.js';
import { quote } from '../transport/quote.js';
import { ModuleFailure } from './types.js';

export interface EreSpec {
  ere: string;
  ignoreCase: boolean;
}

const CLASSES: Record<string, string> = { d: '[0-9]', D: '[^0-9]', s: '[[:space:]]', S: '[^[:space:]]', w: '[[:alnum:]_]', W: '[^[:alnum:]_]' };

/** A Python `re` pattern as a POSIX ERE; what ERE cannot say is refused with the pattern named. */
export function pythonToEre(pattern: string): EreSpec {
  let ignoreCase = false;
  let p = pattern;
  const flags = /^\(\?([aiLmsux]+)\)/.exec(p);
  if (flags) {
    if (/[^i]/.test(flags[1])) throw unsupported(pattern, `the inline flags (?${flags[1]})`);
    ignoreCase = true;
    p = p.slice(flags[0].length);
  }
  const out = translatePyPattern(p, {
    escape(n, inClass) {
      if (n === undefined) throw unsupported(pattern, 'a trailing backslash');
      if (!inClass && n in CLASSES) return CLASSES[n];
      if (inClass && 'dsw'.includes(n)) return CLASSES[n].slice(1, -1);
      if (n === 'n') return '\n';
      if (n === 't') return '\t';
      if (n === 'r') return '\r';
      if (/[A-Za-z0-9]/.test(n)) throw unsupported(pattern, `\\${n}`);
      return inClass ? n : `\\${n}`;
    },
    // a bracket expression takes a leading `]` as a member, as Python does
    leadingBracket: ']',
    construct(s, i) {
      const c = s[i];
      if (c === '(' && s[i + 1] === '?') {
        if (s[i + 2] === ':') return { text: '(', length: 3 };
        throw unsupported(pattern, 'a (?...) group');
      }
      if ((c === '*' || c === '+' || c === '?' || c === '}') && s[i + 1] === '?') throw unsupported(pattern, 'a non-greedy repeat');
      return undefined;
    },
  });
  return { ere: out, ignoreCase };
}

function unsupported(pattern: string, what: string): ModuleFailure {
  return new ModuleFailure(`expect on rackplay matches prompts with grep -E, which has no ${what}: '${pattern}'`);
}

export interface DriverSpec {
  /** The command's argv (Ansible's pexpect splits `command` into words, without a shell). */
  argv: string[];
  chdir?: string;
  creates?: string;
  removes?: string;
  /** Each pattern with its responses, in the order given. */
  events: { pattern: string; ere: EreSpec; responses: string[]; cycle: boolean }[];
  /** Seconds without a match before the command is ended; 0: no limit. */
  timeout: number;
  echo: boolean;
  nonce: string;
}

/**
 * The driver. Output markers, each on a line of its own after the transcript:
 * `@@<nonce> skip creates|removes`, `@@<nonce> noresp <i> <from> <to>` (a list ran out; the
 * bytes from..to are Ansible's "output was"), `@@<nonce> timeout`, `@@<nonce> rc <n>`.
 * The transcript itself follows `@@<nonce> out`.
 */
export function expectScript(d: DriverSpec): string {
  const m = `@@${d.nonce}`;
  const cmd = `${d.echo ? '' : 'stty -echo 2>/dev/null; '}exec ${d.argv.map(quote).join(' ')}`;
  const lines = [
    'LC_ALL=C; export LC_ALL',
    d.chdir ? `cd ${quote(d.chdir)} || exit 1` : '',
    d.creates ? `if [ -e ${quote(d.creates)} ]; then echo '${m} skip creates'; exit 0; fi` : '',
    d.removes ? `if [ ! -e ${quote(d.removes)} ]; then echo '${m} skip removes'; exit 0; fi` : '',
    `command -v script >/dev/null 2>&1 || { echo "expect needs util-linux's script on $(uname -n)" >&2; exit 127; }`,
    'rp_d=$(mktemp -d) || exit 1',
    `trap 'rm -rf "$rp_d"' EXIT`,
    'mkfifo "$rp_d/in" && : > "$rp_d/out" || exit 1',
    `script -qfec ${quote(cmd)} /dev/null < "$rp_d/in" > "$rp_d/out" 2>&1 &`,
    'rp_pid=$!',
    'exec 3> "$rp_d/in"',
  ];
  d.events.forEach((e, i) => {
    lines.push(`rp_n${i}=0`);
    e.responses.forEach((r, j) => lines.push(`rp_r${i}_${j}=${quote(r)}`));
  });
  const tests = d.events.map((e, i) => {
    const grep = `grep -boa${e.ere.ignoreCase ? 'i' : ''}E -e ${quote(e.ere.ere)}`;
    return [
      `  rp_h=$(tail -c +$((rp_off + 1)) "$rp_d/out" | ${grep} | head -n 1)`,
      '  if [ -n "$rp_h" ]; then',
      '    rp_p=${rp_h%%:*}; rp_t=${rp_h#*:}',
      `    if [ -z "$rp_best" ] || [ "$rp_p" -lt "$rp_best" ]; then rp_best=$rp_p; rp_end=$((rp_p + \${#rp_t})); rp_i=${i}; fi`,
      '  fi',
    ].join('\n');
  });
  d.events.forEach((e, i) => {
    const count = e.responses.length;
    const pick = e.cycle
      ? `eval "rp_s=\\$rp_r${i}_0"`
      : `eval "rp_k=\\$rp_n${i}"; if [ "$rp_k" -ge ${count} ]; then rp_bad=${i}; else eval "rp_s=\\$rp_r${i}_$rp_k"; rp_n${i}=$((rp_k + 1)); fi`;
    lines.push(`rp_pick${i}() { ${pick}; }`);
  });
  lines.push(
    // milliseconds where date knows %N, else whole seconds
    `rp_now() { rp_t=$(date +%s%N); case $rp_t in *N) echo $(( $(date +%s) * 1000 )) ;; *) echo $((rp_t / 1000000)) ;; esac; }`,
    'rp_off=0; rp_last=$(rp_now); rp_bad=',
    'while :; do',
    '  rp_best=; rp_i=',
    ...tests,
    '  if [ -n "$rp_best" ]; then',
    '    rp_s=; rp_from=$rp_off; rp_off=$((rp_off + rp_end)); rp_last=$(rp_now)',
    '    "rp_pick$rp_i"',
    `    if [ -n "$rp_bad" ]; then kill -KILL "$rp_pid" 2>/dev/null; wait "$rp_pid" 2>/dev/null; echo; echo "${m} noresp $rp_bad $rp_from $rp_off"; echo '${m} out'; cat "$rp_d/out"; exit 0; fi`,
    `    printf '%s\\n' "$rp_s" >&3`,
    '    continue',
    '  fi',
    '  kill -0 "$rp_pid" 2>/dev/null || break',
    d.timeout > 0
      ? `  if [ $(( $(rp_now) - rp_last )) -ge ${d.timeout * 1000} ]; then kill -KILL "$rp_pid" 2>/dev/null; wait "$rp_pid" 2>/dev/null; echo; echo '${m} timeout'; echo '${m} out'; cat "$rp_d/out"; exit 0; fi`
      : '',
    '  sleep 0.1',
    'done',
    'wait "$rp_pid"; rp_rc=$?',
    'exec 3>&-',
    `echo; echo "${m} rc $rp_rc"; echo '${m} out'; cat "$rp_d/out"`,
  );
  return lines.filter(Boolean).join('\n');
}

export type DriverOutcome =
  | { kind: 'skip'; which: 'creates' | 'removes' }
  | { kind: 'rc'; rc: number; out: string }
  | { kind: 'timeout'; out: string }
  | { kind: 'noresp'; event: number; out: string; /** the answered text: from, to (bytes) */ span: [number, number] };

export function readDriver(stdout: Buffer, nonce: string): DriverOutcome | undefined {
  const text = stdout.toString('latin1');
  const m = `@@${nonce}`;
  const skip = new RegExp(`^${m} skip (creates|removes)$`, 'm').exec(text);
  if (skip) return { kind: 'skip', which: skip[1] as 'creates' | 'removes' };
  const at = text.indexOf(`\n${m} out\n`);
  if (at < 0) return undefined;
  const out = Buffer.from(text.slice(at + m.length + 6), 'latin1').toString('utf8');
  const head = text.slice(0, at);
  const rc = new RegExp(`^${m} rc (\\d+)$`, 'm').exec(head);
  if (rc) return { kind: 'rc', rc: Number(rc[1]), out };
  const nr = new RegExp(`^${m} noresp (\\d+) (\\d+) (\\d+)$`, 'm').exec(head);
  if (nr) return { kind: 'noresp', event: Number(nr[1]), span: [Number(nr[2]), Number(nr[3])], out };
  return { kind: 'timeout', out };
}
