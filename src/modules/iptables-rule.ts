// The normal form of an iptables rule, so a rule read back from `iptables-save` compares
// equal to the one a task asks for: both are parsed into base options, a set of matches
// with their options and the target, with iptables-save's habits folded away (`-m tcp`
// it adds for --dport, /32 host masks and dotted netmasks, `--syn` vs `--tcp-flags`,
// default `--reject-with`/`--limit-burst`/`--log-level`, `-m state --state` and
// `-m conntrack --ctstate` being the same test). The order of matches does not matter.
export interface RuleForm {
  base: Record<string, string>;
  matches: Record<string, Record<string, string>>;
  target: string;
  targetOpts: Record<string, string>;
}

/** Splits an iptables-save line: words, with "double quoted" strings and \" escapes. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

const LONG: Record<string, string> = {
  '--protocol': '-p', '--source': '-s', '--src': '-s', '--destination': '-d', '--dst': '-d',
  '--in-interface': '-i', '--out-interface': '-o', '--jump': '-j', '--goto': '-g', '--match': '-m',
  '--fragment': '-f', '--source-port': '--sport', '--destination-port': '--dport',
  '--source-ports': '--sports', '--destination-ports': '--dports',
};
const BASE_OPTS = new Set(['-p', '-s', '-d', '-i', '-o', '-f']);
const PROTO_OPTS = new Set(['--sport', '--dport', '--tcp-flags', '--syn', '--tcp-option', '--icmp-type']);
const TARGET_OPTS = new Set([
  '--log-prefix', '--log-level', '--log-tcp-sequence', '--log-tcp-options', '--log-ip-options', '--log-uid',
  '--reject-with', '--to-destination', '--to-source', '--to-ports', '--to', '--set-mark', '--set-xmark',
  '--clamp-mss-to-pmtu', '--set-mss', '--set-dscp', '--set-dscp-class', '--random',
]);
const PROTO_NUM: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', '132': 'sctp', '47': 'gre', '50': 'esp', '51': 'ah' };
const LOG_LEVELS: Record<string, string> = { emerg: '0', alert: '1', crit: '2', error: '3', err: '3', warning: '4', warn: '4', notice: '5', info: '6', debug: '7' };
const ICMP_TYPES: Record<string, string> = {
  'echo-reply': '0', pong: '0', 'destination-unreachable': '3', 'source-quench': '4', redirect: '5',
  'echo-request': '8', ping: '8', 'time-exceeded': '11', 'parameter-problem': '12',
  'timestamp-request': '13', 'timestamp-reply': '14',
};
const TCP_FLAG_ORDER = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'];

function maskBits(mask: string): number | undefined {
  const parts = mask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return undefined;
  const n = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const bits = n.toString(2).replace(/0+$/, '');
  return /^1*$/.test(bits) ? bits.length : undefined;
}

function normAddress(v: string): string {
  const [addr, rawMask] = v.split('/');
  let mask: string | undefined = rawMask;
  if (mask !== undefined && mask.includes('.')) mask = String(maskBits(mask) ?? mask);
  if (mask === '32' || mask === '128') mask = undefined;
  return mask === undefined ? addr : `${addr}/${mask}`;
}

function sortFlags(list: string): string {
  const flags = list.toUpperCase().split(',');
  if (flags.length === 1 && (flags[0] === 'ALL' || flags[0] === 'NONE')) return flags[0];
  return [...new Set(flags)].sort((a, b) => TCP_FLAG_ORDER.indexOf(a) - TCP_FLAG_ORDER.indexOf(b)).join(',');
}

function normValue(opt: string, value: string): string {
  switch (opt) {
    case '-s':
    case '-d':
      return normAddress(value);
    case '-p':
      return PROTO_NUM[value] ?? value.toLowerCase();
    case '--state':
      return value.toUpperCase().split(',').sort().join(',');
    case '--log-level':
      return LOG_LEVELS[value.toLowerCase()] ?? value;
    case '--icmp-type':
      return ICMP_TYPES[value] ?? value;
    case '--limit': {
      const m = /^(\d+)\/(s|sec|second|m|min|minute|h|hour|d|day)s?$/i.exec(value);
      if (!m) return value;
      const unit = m[2].toLowerCase()[0];
      return `${m[1]}/${{ s: 'sec', m: 'min', h: 'hour', d: 'day' }[unit as 's']}`;
    }
    case '--tcp-flags': {
      const [mask, comp] = value.split(' ');
      return `${sortFlags(mask)} ${sortFlags(comp ?? '')}`;
    }
    default:
      return value;
  }
}

/** The normal form of a rule spec (the words after `-A CHAIN`). */
export function ruleForm(words: readonly string[]): RuleForm {
  const form: RuleForm = { base: {}, matches: {}, target: '', targetOpts: {} };
  let currentMatch: string | undefined;
  let negateNext = false;
  let i = 0;
  const put = (bucket: Record<string, string>, opt: string, value: string, neg: boolean) => {
    bucket[opt] = (neg ? '! ' : '') + normValue(opt, value);
  };
  while (i < words.length) {
    let w = words[i++];
    if (w === '!') {
      negateNext = true;
      continue;
    }
    w = LONG[w] ?? w;
    let neg = negateNext;
    negateNext = false;
    const values: string[] = [];
    while (i < words.length && !(words[i].startsWith('-') && words[i].length > 1 && !/^-\d/.test(words[i])) && words[i] !== '!') values.push(words[i++]);
    // the old syntax puts the ! after the option: `-s ! 10.0.0.1`, `--dport ! 22`
    if (values.length === 0 && words[i] === '!' && i + 1 < words.length && !words[i + 1].startsWith('-')) {
      neg = true;
      i++;
      while (i < words.length && !words[i].startsWith('-') && words[i] !== '!') values.push(words[i++]);
    }
    const value = values.join(' ');
    if (w === '-m') {
      currentMatch = value === 'conntrack' ? 'state' : value;
      form.matches[currentMatch] ??= {};
      continue;
    }
    if (w === '-j') {
      form.target = value;
      continue;
    }
    if (w === '-g') {
      form.target = `goto:${value}`;
      continue;
    }
    if (BASE_OPTS.has(w)) {
      if (w === '-f') form.base['-f'] = neg ? '!' : '';
      else put(form.base, w, value, neg);
      continue;
    }
    if (w === '--ctstate') w = '--state';
    if (w === '--syn') {
      w = '--tcp-flags';
      values.splice(0, values.length, 'FIN,SYN,RST,ACK', 'SYN');
    }
    if (TARGET_OPTS.has(w)) {
      put(form.targetOpts, w, values.join(' ') || value, neg);
      continue;
    }
    const owner = PROTO_OPTS.has(w) ? form.base['-p']?.replace(/^! /, '') ?? currentMatch ?? '?' : currentMatch ?? '?';
    form.matches[owner] ??= {};
    put(form.matches[owner], w, values.join(' '), neg);
  }
  // iptables-save names the protocol match even when nothing asked for it by name
  const proto = form.base['-p'];
  if (proto && form.matches[proto] && Object.keys(form.matches[proto]).length === 0) delete form.matches[proto];
  for (const [m, opts] of Object.entries(form.matches)) if (m === 'icmp' && Object.keys(opts).length === 0) delete form.matches[m];
  if (form.base['-s'] === '0.0.0.0/0') delete form.base['-s'];
  if (form.base['-d'] === '0.0.0.0/0') delete form.base['-d'];
  if (form.base['-p'] === 'all') delete form.base['-p'];
  if (form.target === 'REJECT' && form.targetOpts['--reject-with'] === 'icmp-port-unreachable') delete form.targetOpts['--reject-with'];
  if (form.target === 'LOG' && form.targetOpts['--log-level'] === '4') delete form.targetOpts['--log-level'];
  if (form.matches.limit?.['--limit-burst'] === '5') delete form.matches.limit['--limit-burst'];
  return form;
}

export function sameRule(a: RuleForm, b: RuleForm): boolean {
  const canon = (f: RuleForm) =>
    JSON.stringify({
      base: Object.entries(f.base).sort(),
      matches: Object.entries(f.matches)
        .map(([m, o]) => [m, Object.entries(o).sort()])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      target: f.target,
      targetOpts: Object.entries(f.targetOpts).sort(),
    });
  return canon(a) === canon(b);
}

/** The rules of a chain in iptables-save output, as word lists after `-A CHAIN`. */
export function savedRules(saved: string, chain: string): string[][] {
  const out: string[][] = [];
  for (const line of saved.split('\n')) {
    const words = tokenize(line.trim());
    if (words[0] === '-A' && words[1] === chain) out.push(words.slice(2));
  }
  return out;
}

export function savedPolicy(saved: string, chain: string): string | undefined {
  for (const line of saved.split('\n')) {
    const m = /^:(\S+)\s+(\S+)/.exec(line.trim());
    if (m && m[1] === chain) return m[2];
  }
  return undefined;
}
