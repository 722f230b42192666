// File facts: one shell function, emitted once per probe, that describes a path, and a
// pure parser for its output. Every file module builds its probe from these records so
// a no-op run costs one exec whatever the module.
//
// Output format (one record per probed path, all in one stdout):
//   @<tag>\n                         record start
//   absent\n                         the path does not exist (with the chosen follow)
//   stat <hexmode> <uid> <gid> <size> <atime> <mtime> <ctime> <nlink> <inode> <dev> <owner> <group>\n
//   kind <directory|file|unknown>\n   instead of stat, from rp_k: only what is there
//   acc <r|-><w|-><x|->\n            access checks for the connecting (or become) user
//   link <n>\n<n bytes>\n            readlink target, when the path is a symlink
//   real <n>\n<n bytes>\n            readlink -f, when asked
//   sum <hex>\n                      checksum of a readable regular file, when asked
//   sumof <tool>\n                   instead of sum when the content follows: the parser
//                                    computes the checksum from the content
//   content <n>\n<n bytes>\n         the file's bytes, when asked and small enough
//   preread <k>\n                    instead of content, in a batch: the bytes are member k of
//                                    the batch's archive (pre-read.ts)
//   <key> <rest of line>\n           module-specific extras (repeatable)
// Names and contents are length-delimited, never searched for magic strings, so any byte
// (newlines, quotes, NUL, invalid UTF-8) survives. LC_ALL=C makes ${#v} count bytes.
import { createHash } from 'node:crypto';
import type { ExecResult } from '../transport/types.js';
import { shlexSplit } from '../shlex.js';
import { quote } from '../transport/quote.js';

export type FileType = 'file' | 'directory' | 'link' | 'fifo' | 'socket' | 'char' | 'block' | 'unknown';

export interface FileFacts {
  exists: boolean;
  type?: FileType;
  /** Permission bits (07777). */
  mode?: number;
  uid?: number;
  gid?: number;
  owner?: string;
  group?: string;
  size?: number;
  atime?: number;
  mtime?: number;
  ctime?: number;
  nlink?: number;
  inode?: number;
  dev?: number;
  readable?: boolean;
  writeable?: boolean;
  executable?: boolean;
  /** Where a symlink points (readlink), only for links. */
  linkTarget?: string;
  /** The fully resolved path (readlink -f), when asked. */
  realpath?: string;
  /** Hex digest with the requested algorithm, for readable regular files. */
  checksum?: string;
  /** The file's bytes, when asked and within the size limit. */
  content?: Buffer;
  /** Module-specific extra lines, by key. */
  extra: Record<string, string[]>;
}

/** A probe's result from a batch, with the pre-read files its `preread K` lines name (pre-read.ts). */
export type WithPreRead = ExecResult & { preread?: Buffer[] };

export type ChecksumAlgorithm = 'sha1' | 'md5' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface ProbeFileOptions {
  /** Describe what a symlink points to (stat -L) instead of the link itself. */
  follow?: boolean;
  checksum?: ChecksumAlgorithm;
  /** Include the content of regular files up to this many bytes; -1 for any size. */
  contentMax?: number;
  realpath?: boolean;
}

/**
 * Shell function definitions; put once at the start of a probe script. The function
 * never fails the script: a path it cannot stat is reported absent.
 *
 * It runs on every host for every file task, so it spends as few program runs as it can
 * (a fork + exec costs about 0.7 ms on a small host, a builtin almost nothing):
 *   - a path that does not exist is answered by the `[ -e ]` builtin, without stat;
 *   - the size for the content check comes from the stat line, not a second stat;
 *   - when the content is sent anyway, the controller computes its checksum (`sumof`)
 *     instead of running sha1sum on the host;
 *   - the real path of a file that is not itself a symlink is its directory's
 *     `cd -P; pwd -P` (a fork, no exec); readlink -f only for links and odd names.
 */
export const FILE_PROBE_FUNCTION = [
  // $1 tag, $2 path, $3 L|P, $4 checksum tool or -, $5 content max (-1 any, 0 never), $6 R|-,
  // $7 (in a batch) the name of the variable rp_pre_read left this path's stat line in
  'rp_f() {',
  "  printf '@%s\\n' \"$1\"",
  '  if [ "$3" = L ]; then rp_o=-L; else rp_o=; fi',
  '  rp_s=; if [ -n "$7" ]; then eval "rp_s=\\${$7-}"; fi',
  "  if [ \"$rp_s\" = absent ]; then printf 'absent\\n'; return 0; fi",
  '  if [ -z "$rp_s" ]; then',
  '    if [ ! -e "$2" ] && { [ "$3" = L ] || [ ! -L "$2" ]; }; then printf \'absent\\n\'; return 0; fi',
  "    rp_s=$(stat $rp_o -c '%f %u %g %s %X %Y %Z %h %i %d %U %G' -- \"$2\" 2>/dev/null) || { printf 'absent\\n'; return 0; }",
  '  fi',
  "  printf 'stat %s\\n' \"$rp_s\"",
  "  rp_a=; if [ -r \"$2\" ]; then rp_a=r; else rp_a=-; fi",
  '  if [ -w "$2" ]; then rp_a=${rp_a}w; else rp_a=${rp_a}-; fi',
  '  if [ -x "$2" ]; then rp_a=${rp_a}x; else rp_a=${rp_a}-; fi',
  "  printf 'acc %s\\n' \"$rp_a\"",
  '  if [ "$3" != L ] && [ -L "$2" ]; then',
  '    rp_t=$(readlink -- "$2"; echo x); rp_t=${rp_t%x}; rp_t=${rp_t%?}',
  "    printf 'link %d\\n%s\\n' \"${#rp_t}\" \"$rp_t\"",
  '  fi',
  '  if [ "$6" = R ]; then',
  '    case $2 in */*) rp_d=${2%/*}; rp_b=${2##*/} ;; *) rp_d=.; rp_b=$2 ;; esac',
  '    rp_t=',
  '    if [ ! -L "$2" ] && [ -n "$rp_b" ] && [ "$rp_b" != . ] && [ "$rp_b" != .. ]; then',
  '      rp_t=$(CDPATH= cd -P -- "${rp_d:-/}" 2>/dev/null && pwd -P && echo x) && rp_t=${rp_t%x} && rp_t=${rp_t%?} && rp_t=${rp_t%/}/$rp_b',
  '    fi',
  '    case $rp_t in /*) ;; *) rp_t=$(readlink -f -- "$2"; echo x); rp_t=${rp_t%x}; rp_t=${rp_t%?} ;; esac',
  "    printf 'real %d\\n%s\\n' \"${#rp_t}\" \"$rp_t\"",
  '  fi',
  '  if { [ "$3" = L ] || [ ! -L "$2" ]; } && [ -f "$2" ] && [ -r "$2" ]; then',
  // The fourth field of the stat line is the size.
  '    rp_n=${rp_s#* * * }; rp_n=${rp_n%% *}',
  '    if [ "$5" != 0 ] && { [ "$5" -lt 0 ] || [ "$rp_n" -le "$5" ]; }; then',
  "      if [ \"$4\" != - ]; then printf 'sumof %s\\n' \"$4\"; fi",
  // $8 (in a batch): the variable holding this path's index in the batch's pre-read
  // archive, set when tar read it (pre-read.ts); the controller puts the bytes back.
  '      rp_q=; if [ -n "${rp_PRE-}" ] && [ -n "${8-}" ]; then eval "rp_q=\\${$8-}"; fi',
  "      if [ -n \"$rp_q\" ]; then printf 'preread %s\\n' \"$rp_q\"",
  "      else printf 'content %d\\n' \"$rp_n\"; cat < \"$2\"; printf '\\n'; fi",
  '    elif [ "$4" != - ]; then',
  '      rp_c=$($4 < "$2") && printf \'sum %s\\n\' "${rp_c%% *}"',
  '    fi',
  '  fi',
  '  return 0',
  '}',
  // $1 variable prefix, then the paths given to the batch's one stat run, in order. That run
  // printed, for each path, its own line (ending with the path) unless it is missing, then
  // the line of the `/` that follows every path. Anything unexpected stops the reading:
  // paths left without a variable are stat'ed by rp_f itself.
  'rp_pre_read() {',
  '  rp_v=$1; shift; rp_i=0; rp_own=',
  '  while IFS= read -r rp_l; do',
  '    [ $# -gt 0 ] || break',
  '    case $rp_l in',
  '      *" $1") eval "$rp_v$rp_i=\\${rp_l%\\" \\$1\\"}"; rp_own=1 ;;',
  '      *" /") [ -n "$rp_own" ] || eval "$rp_v$rp_i=absent"; rp_own=; rp_i=$((rp_i + 1)); shift ;;',
  '      *) break ;;',
  '    esac',
  '  done <<RP_PRE_EOF',
  '$rp_pre_out',
  'RP_PRE_EOF',
  '}',
  // $1 tag, $2 path: whether something is there and what, following links; builtins only.
  'rp_k() {',
  "  printf '@%s\\n' \"$1\"",
  "  if [ -d \"$2\" ]; then printf 'kind directory\\n'; elif [ -f \"$2\" ]; then printf 'kind file\\n'; elif [ -e \"$2\" ]; then printf 'kind unknown\\n'; else printf 'absent\\n'; fi",
  '}',
].join('\n');

/**
 * What a probe script starts with. The function comes first so that a probe batch can
 * define it once for all its probes (probe-batch.ts); the locale stays with each probe.
 */
export const FILE_PROBE_PRELUDE = `${FILE_PROBE_FUNCTION}\nLC_ALL=C; export LC_ALL`;

const SUM_TOOL: Record<ChecksumAlgorithm, string> = {
  sha1: 'sha1sum',
  md5: 'md5sum',
  sha224: 'sha224sum',
  sha256: 'sha256sum',
  sha384: 'sha384sum',
  sha512: 'sha512sum',
};
const ALGORITHM_OF_TOOL = new Map(Object.entries(SUM_TOOL).map(([algo, tool]) => [tool, algo]));

/** One call of the probe function (needs FILE_PROBE_PRELUDE earlier in the script). */
export function probeFile(tag: string, path: string, opts: ProbeFileOptions = {}): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(tag)) throw new Error(`bad probe tag: ${tag}`);
  return [
    'rp_f',
    tag,
    quote(path),
    opts.follow ? 'L' : 'P',
    opts.checksum ? SUM_TOOL[opts.checksum] : '-',
    String(opts.contentMax ?? 0),
    opts.realpath ? 'R' : '-',
  ].join(' ');
}

/**
 * Only whether a path exists and if it is a directory or a regular file (links followed):
 * for a parent directory check, it costs no program run on the host.
 */
export function probeKind(tag: string, path: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(tag)) throw new Error(`bad probe tag: ${tag}`);
  return `rp_k ${tag} ${quote(path)}`;
}

const STAT_FORMAT = '%f %u %g %s %X %Y %Z %h %i %d %U %G';

/**
 * For a probe batch whose scripts call rp_f on several paths: one stat run per follow mode
 * for all of them, at the top of the batch, instead of one per path and probe (each run of
 * a program costs the host about as much as the rest of a probe). Returns the lines to put
 * after FILE_PROBE_FUNCTION and the scripts with each rp_f call pointed at its result, or
 * undefined when there is nothing to gain. Paths the stat line cannot tell apart (`/`, a
 * path ending in ` /`) or that span lines are left to rp_f.
 */
export function preStatBatch(scripts: string[]): { lines: string[]; scripts: string[] } | undefined {
  const index = new Map<string, string>();
  const paths: Record<'L' | 'P', string[]> = { L: [], P: [] };
  const rewritten = mapProbeCalls(scripts, (words, line) => {
    if (words.length !== 7) return line;
    const [, , p, mode] = words;
    if ((mode !== 'L' && mode !== 'P') || p === '' || p === '/' || p.endsWith(' /')) return line;
    const key = `${mode}${p}`;
    let name = index.get(key);
    if (!name) {
      name = `rp_S${mode}${paths[mode].length}`;
      paths[mode].push(p);
      index.set(key, name);
    }
    return `${line} ${name}`;
  });
  if (index.size < 2) return undefined;
  const lines: string[] = [];
  for (const mode of ['L', 'P'] as const) {
    if (!paths[mode].length) continue;
    const args = paths[mode].map((p) => `${quote(p)} /`).join(' ');
    lines.push(
      `rp_pre_out=$(LC_ALL=C stat ${mode === 'L' ? '-L ' : ''}-c ${quote(STAT_FORMAT + ' %n')} -- ${args} 2>/dev/null)`,
      `rp_pre_read rp_S${mode} ${paths[mode].map(quote).join(' ')}`,
    );
  }
  return { lines, scripts: rewritten };
}

/** The scripts, each rp_f call line replaced by what `rewrite` makes of its words (kept if it does not split). */
export function mapProbeCalls(scripts: string[], rewrite: (words: string[], line: string) => string): string[] {
  return scripts.map((script) =>
    script
      .split('\n')
      .map((line) => {
        if (!line.startsWith('rp_f ')) return line;
        try {
          return rewrite(shlexSplit(line), line);
        } catch {
          return line;
        }
      })
      .join('\n'),
  );
}

/** A whole probe script: the prelude, then the given lines. */
export function probeScript(lines: string[]): string {
  return [FILE_PROBE_PRELUDE, ...lines, 'exit 0'].join('\n');
}

export class ProbeParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeParseError';
  }
}

const TYPE_BITS: Record<number, FileType> = {
  0o100000: 'file',
  0o040000: 'directory',
  0o120000: 'link',
  0o010000: 'fifo',
  0o140000: 'socket',
  0o020000: 'char',
  0o060000: 'block',
};

function emptyFacts(): FileFacts {
  return { exists: false, extra: {} };
}

/** Parse a probe's stdout into facts by tag. Throws ProbeParseError on malformed output. */
export function parseFileProbe(out: ExecResult | Buffer, preread?: Buffer[]): Record<string, FileFacts> {
  const buf = Buffer.isBuffer(out) ? out : out.stdoutBytes;
  // A part of a batched result (a module that cuts its output) passes the result's pre-read.
  const members = preread ?? (Buffer.isBuffer(out) ? undefined : (out as WithPreRead).preread);
  const records: Record<string, FileFacts> = {};
  let cur: FileFacts | undefined;
  /** A `sumof` line: the checksum is to be computed from the content that follows. */
  let sumOf: string | undefined;
  let pos = 0;
  const readLine = (): string => {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) throw new ProbeParseError('probe output ends in the middle of a line');
    const line = buf.subarray(pos, nl).toString('utf8');
    pos = nl + 1;
    return line;
  };
  const readBlob = (n: number): Buffer => {
    if (!Number.isInteger(n) || n < 0 || pos + n + 1 > buf.length || buf[pos + n] !== 0x0a) {
      throw new ProbeParseError('probe output is truncated or the file changed while it was read; try again');
    }
    const b = Buffer.from(buf.subarray(pos, pos + n));
    pos += n + 1;
    return b;
  };
  while (pos < buf.length) {
    const line = readLine();
    if (line.startsWith('@')) {
      cur = emptyFacts();
      records[line.slice(1)] = cur;
      sumOf = undefined;
      continue;
    }
    if (!cur) throw new ProbeParseError(`unexpected probe output: ${JSON.stringify(line.slice(0, 80))}`);
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    switch (key) {
      case 'absent':
        cur.exists = false;
        break;
      case 'stat': {
        const f = rest.split(' ');
        if (f.length < 12) throw new ProbeParseError(`bad stat line: ${rest}`);
        const raw = parseInt(f[0], 16);
        cur.exists = true;
        cur.type = TYPE_BITS[raw & 0o170000] ?? 'unknown';
        cur.mode = raw & 0o7777;
        cur.uid = Number(f[1]);
        cur.gid = Number(f[2]);
        cur.size = Number(f[3]);
        cur.atime = Number(f[4]);
        cur.mtime = Number(f[5]);
        cur.ctime = Number(f[6]);
        cur.nlink = Number(f[7]);
        cur.inode = Number(f[8]);
        cur.dev = Number(f[9]);
        cur.owner = f[10];
        cur.group = f.slice(11).join(' ');
        break;
      }
      case 'kind':
        cur.exists = true;
        cur.type = rest === 'directory' || rest === 'file' ? rest : 'unknown';
        break;
      case 'acc':
        cur.readable = rest[0] === 'r';
        cur.writeable = rest[1] === 'w';
        cur.executable = rest[2] === 'x';
        break;
      case 'link':
        cur.linkTarget = readBlob(Number(rest)).toString('utf8');
        break;
      case 'real':
        cur.realpath = readBlob(Number(rest)).toString('utf8');
        break;
      case 'sum':
        cur.checksum = rest.trim();
        break;
      case 'sumof':
        sumOf = ALGORITHM_OF_TOOL.get(rest);
        if (!sumOf) throw new ProbeParseError(`unknown checksum tool: ${rest}`);
        break;
      case 'preread': {
        // The bytes came in the batch's archive (pre-read.ts).
        const member = members?.[Number(rest)];
        if (!member) throw new ProbeParseError('probe output names a pre-read file the batch did not deliver; try again');
        cur.content = Buffer.from(member);
        if (sumOf) cur.checksum = createHash(sumOf).update(cur.content).digest('hex');
        sumOf = undefined;
        break;
      }
      case 'content':
        cur.content = readBlob(Number(rest));
        if (sumOf) cur.checksum = createHash(sumOf).update(cur.content).digest('hex');
        sumOf = undefined;
        break;
      default:
        (cur.extra[key] ??= []).push(rest);
    }
  }
  return records;
}

/** Facts for one tag; a tag the probe never reached counts as absent. */
export function factsFor(records: Record<string, FileFacts>, tag: string): FileFacts {
  return records[tag] ?? emptyFacts();
}

/** '0644'-style text of permission bits, as Ansible returns `mode`. */
export function formatMode(mode: number): string {
  return '0' + (mode & 0o7777).toString(8).padStart(3, '0');
}

/** Ansible's state name for what is at a path (file module's prev_state). */
export function ansibleState(f: FileFacts): 'absent' | 'file' | 'directory' | 'link' | 'hard' | 'other' {
  if (!f.exists) return 'absent';
  if (f.type === 'link') return 'link';
  if (f.type === 'directory') return 'directory';
  if (f.type === 'file') return (f.nlink ?? 1) > 1 ? 'hard' : 'file';
  return 'other';
}
