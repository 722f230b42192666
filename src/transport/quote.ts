// The one audited place that turns a value into a POSIX shell word. Every path,
// argument and string a module sends to a remote shell goes through quote(): single
// quotes make every byte literal except the single quote itself, which is closed,
// escaped and reopened. Works in every POSIX sh, including SL4's bash 3.0.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quote(value: string | number): string {
  const s = String(value);
  if (s.includes('\0')) throw new Error('cannot pass a NUL byte to a shell');
  if (s !== '' && SAFE.test(s)) return s;
  return "'" + s.replace(/'/g, `'\\''`) + "'";
}

/** Quote each word and join with spaces: a safe argv for `sh -c`. */
export function quoteArgv(argv: readonly (string | number)[]): string {
  return argv.map(quote).join(' ');
}
