// Python's datetime.datetime (naive) and timedelta, as to_datetime returns them: enough
// to compare two dates, subtract them (`(a - b).days`, `.total_seconds()`) and print them.
import { TemplateError } from './errors.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A naive datetime: wall-clock fields kept in a UTC Date so no time zone shifts them. */
export class PyDatetime {
  constructor(
    readonly utc: Date,
    readonly microsecond = 0,
  ) {}
  get year(): number { return this.utc.getUTCFullYear(); }
  get month(): number { return this.utc.getUTCMonth() + 1; }
  get day(): number { return this.utc.getUTCDate(); }
  get hour(): number { return this.utc.getUTCHours(); }
  get minute(): number { return this.utc.getUTCMinutes(); }
  get second(): number { return this.utc.getUTCSeconds(); }
  /** Microseconds since the epoch of the naive clock, for ordering and subtraction. */
  get micros(): number { return Math.floor(this.utc.getTime() / 1000) * 1_000_000 + this.microsecond; }
  /** datetime.strftime: the clock's own fields, %f its microseconds. */
  strftime(format: unknown): string {
    // %s reads the naive fields as local time (mktime), as glibc's strftime does
    const local = new Date(this.year, this.month - 1, this.day, this.hour, this.minute, this.second);
    local.setFullYear(this.year);
    const fmt = String(format).replace(/%%|%s/g, (m) => (m === '%s' ? String(Math.floor(local.getTime() / 1000)) : m));
    return strftime(fmt, this.utc, true, this.microsecond);
  }
  isoformat(sep: unknown = 'T'): string {
    return this.toString().replace(' ', String(sep));
  }
  toString(): string {
    const base = `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)} ${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}`;
    return this.microsecond ? `${base}.${pad(this.microsecond, 6)}` : base;
  }
}

export class PyTimedelta {
  readonly days: number;
  readonly seconds: number;
  readonly microseconds: number;
  constructor(readonly totalMicros: number) {
    const day = 86_400_000_000;
    this.days = Math.floor(totalMicros / day);
    const rest = totalMicros - this.days * day;
    this.seconds = Math.floor(rest / 1_000_000);
    this.microseconds = rest - this.seconds * 1_000_000;
  }
  total_seconds(): number {
    return this.totalMicros / 1_000_000;
  }
  toString(): string {
    const h = Math.floor(this.seconds / 3600);
    const clock = `${h}:${pad(Math.floor((this.seconds % 3600) / 60))}:${pad(this.seconds % 60)}${this.microseconds ? '.' + pad(this.microseconds, 6) : ''}`;
    return this.days ? `${this.days} day${Math.abs(this.days) === 1 ? '' : 's'}, ${clock}` : clock;
  }
}

/** datetime.strptime for the common directives. */
export function strptime(text: string, format: string): PyDatetime {
  const fields = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0, f: 0, p: '' as string, I: -1 };
  const parts: { key: string; re: string }[] = [];
  let re = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      re += /\s/.test(c) ? '\\s+' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    const d = format[++i];
    const digits: Record<string, string> = { Y: '\\d{4}', y: '\\d{2}', m: '\\d{1,2}', d: '\\d{1,2}', H: '\\d{1,2}', I: '\\d{1,2}', M: '\\d{1,2}', S: '\\d{1,2}', f: '\\d{1,6}', j: '\\d{1,3}' };
    if (d === '%') re += '%';
    else if (digits[d]) (re += `(${digits[d]})`), parts.push({ key: d, re: digits[d] });
    else if (d === 'b' || d === 'B') (re += '([A-Za-z]+)'), parts.push({ key: 'b', re: '' });
    else if (d === 'a' || d === 'A') (re += '(?:[A-Za-z]+)');
    else if (d === 'p') (re += '([AaPp][Mm])'), parts.push({ key: 'p', re: '' });
    else throw new TemplateError(`'${d}' is a bad directive in format '%${d}'`);
  }
  const m = new RegExp(`^${re}$`).exec(text);
  if (!m) throw new TemplateError(`time data ${JSON.stringify(text).replace(/^"|"$/g, "'")} does not match format '${format}'`);
  parts.forEach((p, i) => {
    const v = m[i + 1];
    if (p.key === 'b') fields.m = MONTHS.findIndex((n) => n.toLowerCase().startsWith(v.toLowerCase().slice(0, 3))) + 1;
    else if (p.key === 'p') fields.p = v.toUpperCase();
    else if (p.key === 'y') fields.Y = Number(v) + (Number(v) < 69 ? 2000 : 1900);
    else if (p.key === 'f') fields.f = Number(v.padEnd(6, '0'));
    else if (p.key === 'I') fields.I = Number(v);
    else (fields as Record<string, unknown>)[p.key] = Number(v);
  });
  if (fields.I >= 0) fields.H = (fields.I % 12) + (fields.p === 'PM' ? 12 : 0);
  const date = new Date(Date.UTC(fields.Y, fields.m - 1, fields.d, fields.H, fields.M, fields.S));
  date.setUTCFullYear(fields.Y);
  return new PyDatetime(date, fields.f);
}

/** Ansible's now() global: the current naive datetime (local, or UTC), or its text in `fmt`. */
export function now(utc: boolean, fmt?: string): PyDatetime | string {
  // performance's clock has sub-millisecond precision, for %f
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const ms = Math.floor(micros / 1000);
  const wall = utc ? ms : ms - new Date(ms).getTimezoneOffset() * 60_000;
  const dt = new PyDatetime(new Date(Math.floor(wall / 1000) * 1000), micros % 1_000_000);
  return fmt ? dt.strftime(fmt) : dt;
}

/**
 * time.strftime over broken-down time (local or UTC), for the strftime filter; with
 * `microsecond` (datetime.strftime), %f too.
 */
export function strftime(format: string, when: Date, utc: boolean, microsecond?: number): string {
  const g = (local: () => number, u: () => number) => (utc ? u() : local());
  const Y = g(() => when.getFullYear(), () => when.getUTCFullYear());
  const mo = g(() => when.getMonth(), () => when.getUTCMonth());
  const d = g(() => when.getDate(), () => when.getUTCDate());
  const H = g(() => when.getHours(), () => when.getUTCHours());
  const M = g(() => when.getMinutes(), () => when.getUTCMinutes());
  const S = g(() => when.getSeconds(), () => when.getUTCSeconds());
  const wd = g(() => when.getDay(), () => when.getUTCDay());
  const yday = Math.round((Date.UTC(Y, mo, d) - Date.UTC(Y, 0, 1)) / 86_400_000) + 1;
  const offset = utc ? 0 : -when.getTimezoneOffset();
  const map: Record<string, () => string> = {
    Y: () => String(Y), y: () => pad(Y % 100), m: () => pad(mo + 1), d: () => pad(d), e: () => String(d).padStart(2, ' '),
    H: () => pad(H), I: () => pad(H % 12 || 12), M: () => pad(M), S: () => pad(S), p: () => (H < 12 ? 'AM' : 'PM'),
    j: () => pad(yday, 3), a: () => DAYS[wd].slice(0, 3), A: () => DAYS[wd], b: () => MONTHS[mo].slice(0, 3), B: () => MONTHS[mo],
    w: () => String(wd), s: () => String(Math.floor(when.getTime() / 1000)), '%': () => '%',
    ...(microsecond === undefined ? {} : { f: () => pad(microsecond, 6) }),
    z: () => `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`,
    Z: () => (utc ? 'UTC' : (Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(when).find((p) => p.type === 'timeZoneName')?.value ?? '')),
    F: () => `${Y}-${pad(mo + 1)}-${pad(d)}`, T: () => `${pad(H)}:${pad(M)}:${pad(S)}`,
    D: () => `${pad(mo + 1)}/${pad(d)}/${pad(Y % 100)}`, R: () => `${pad(H)}:${pad(M)}`,
  };
  return format.replace(/%(.)/g, (whole, c: string) => (map[c] ? map[c]() : whole));
}
