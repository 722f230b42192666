// The variables Ansible's generate_ansible_template_vars gives a template rendered by the
// template module or the template lookup: where it came from, its owner and mtime, the
// controller's name, the run date, and ansible_managed.
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A time as Python's str(datetime): local time, microseconds only when not zero. */
export function pyDatetime(d: Date, micro = d.getMilliseconds() * 1000): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return micro ? `${base}.${p(micro, 6)}` : base;
}

/** The user name of a uid from the passwd file, else the number (as Ansible falls back). */
function ownerName(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && Number(f[2]) === uid) return f[0];
    }
  } catch {
    /* no passwd file: the number */
  }
  return String(uid);
}

/** `asWritten` is the name the task gave (template_path); `fullpath` the file found. */
export function templateVars(asWritten: string, fullpath: string, destPath?: string): Record<string, unknown> {
  const st = statSync(fullpath);
  return {
    template_host: os.hostname(),
    template_path: asWritten,
    template_mtime: pyDatetime(st.mtime, Math.round((st.mtimeMs % 1000) * 1000) % 1000000),
    template_uid: ownerName(st.uid),
    template_run_date: pyDatetime(new Date()),
    template_destpath: destPath ?? null,
    template_fullpath: path.resolve(fullpath),
    ansible_managed: 'Ansible managed',
  };
}
