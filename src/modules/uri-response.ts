// What Ansible's uri module makes of a response (lib/ansible/modules/uri.py over
// module_utils/urls.py fetch_url), from what curl saw: the result's keys (every response
// header, lowercased, dashes as underscores), `msg`, `json`, `content`, `redirected`,
// and whether the status fails the task. Pure, so that table tests pin it down.
import type { HttpOutcome } from './http-curl.js';

export interface UriView {
  /** The URL the task asked for. */
  url: string;
  statusCodes: number[];
  returnContent: boolean;
  /** The response body as text (undefined when it was not read back). */
  body: string | undefined;
  elapsed: number;
}

export interface UriVerdict {
  result: Record<string, unknown>;
  /** Whether the status is one of status_code. */
  ok: boolean;
  /** Whether there was a response (a body to write to dest). */
  responded: boolean;
  /** dest: the name the response gives its file (Content-Disposition, else the URL's). */
  filename: string;
}

const JSON_CANDIDATES = new Set(['json', 'javascript']);

/** curl's failure in urllib's words where they are well known, else curl's own first line. */
export function requestFailure(rc: number, error: string): string {
  const text = (error.split('\n')[0] ?? '').replace(/^curl: \(\d+\)\s*/, '');
  const known: Record<number, string> = {
    6: '[Errno -2] Name or service not known',
    7: '[Errno 111] Connection refused',
    28: 'timed out',
  };
  // Python adds the place in its ssl module ("(_ssl.c:992)"), which means nothing here
  const cert = /^SSL certificate problem: (.*)$/.exec(text);
  if (rc === 60 && cert) return `Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${cert[1]}>`;
  return `Request failed: <urlopen error ${known[rc] ?? text}>`;
}

/** The script line whose output pathInfo() reads (lstat, as Ansible's add_path_info). */
export function pathInfoProbe(quotedPath: string): string {
  return `stat -c '%u %g %U %G %a %h %s %F' -- ${quotedPath} 2>/dev/null`;
}

/** add_path_info(): owner, group, mode, state and size of the file a result names. */
export function pathInfo(statLine: string): Record<string, unknown> {
  const m = /^(\d+) (\d+) (\S+) (\S+) ([0-7]+) (\d+) (\d+) (.+)$/.exec(statLine.trim());
  if (!m) return {};
  const [, uid, gid, user, group, mode, links, size, type] = m;
  const state = type === 'symbolic link' ? 'link' : type === 'directory' ? 'directory' : Number(links) > 1 ? 'hard' : 'file';
  return {
    uid: Number(uid),
    gid: Number(gid),
    owner: user === 'UNKNOWN' ? uid : user,
    group: group === 'UNKNOWN' ? gid : group,
    mode: `0${parseInt(mode, 8).toString(8).padStart(3, '0')}`,
    state,
    size: Number(size),
  };
}

/** The response headers as urllib's info() gives them: lowercased, repeats joined by ', '. */
export function joinHeaders(headers: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of headers) out[k] = k in out ? `${out[k]}, ${v}` : v;
  return out;
}

/** Python's email.Message.get_content_type() and the charset parameter. */
export function contentType(header: string | undefined): { type: string; sub: string; charset: string } {
  const [full = '', ...params] = (header ?? '').split(';');
  let type = full.trim().toLowerCase();
  if (type.split('/').length !== 2) type = 'text/plain';
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";]+)"?/i.exec(p)?.[1]).find(Boolean) ?? 'utf-8';
  return { type, sub: type.split('/')[1], charset };
}

export function maybeJson(sub: string): boolean {
  const suffix = sub.includes('+') ? sub.slice(sub.indexOf('+') + 1) : sub;
  return JSON_CANDIDATES.has(suffix.toLowerCase());
}

/** Ansible's absolute_location(): a Location header made absolute against the asked URL. */
export function absoluteLocation(url: string, location: string): string {
  if (location.includes('://')) return location;
  if (location.startsWith('/')) {
    const path = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url)?.[1] ?? '';
    return `${path ? url.replace(path, '') : url}${location}`;
  }
  return `${url.slice(0, Math.max(url.lastIndexOf('/'), 0))}/${location}`;
}

/** get_response_filename(): Content-Disposition's filename, else the URL path's last part. */
export function responseFilename(finalUrl: string, disposition: string | undefined): string {
  const named = disposition ? /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(disposition) : null;
  if (named) return named[1] ?? named[2];
  const path = (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(finalUrl)?.[1] ?? '').replace(/\/+$/, '');
  const base = path.slice(path.lastIndexOf('/') + 1);
  let name = base;
  try {
    name = decodeURIComponent(base);
  } catch {
    // a stray % stays as it is, as Python's unquote leaves it
  }
  return name || 'index.html';
}

/** Set-Cookie headers as the cookie jar keeps them: name → value, in order. */
export function cookiesOf(setCookies: string[]): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const c of setCookies) {
    const m = /^\s*([^=;\s]+)=([^;]*)/.exec(c);
    if (m) jar[m[1]] = m[2].trim().replace(/^"(.*)"$/, '$1');
  }
  return jar;
}

/** The task result of a uri request (before `changed`, dest's `path` and a failure's msg). */
export function uriVerdict(o: HttpOutcome, v: UriView): UriVerdict {
  const info: Record<string, unknown> = { url: v.url, status: -1 };
  const last = o.code > 0 ? o.hops[o.hops.length - 1] : undefined;
  let ctype = contentType(undefined);
  let content: string | undefined;
  let filename = 'index.html';
  const hasBody = last !== undefined;
  if (!last) {
    info.msg = requestFailure(o.rc, o.error);
    ctype = { type: 'application/octet-stream', sub: 'octet-stream', charset: 'utf-8' };
  } else {
    const headers = joinHeaders(last.headers);
    Object.assign(info, headers);
    ctype = contentType(headers['content-type']);
    if (o.code >= 200 && o.code < 300) {
      const jar = cookiesOf(o.hops.flatMap((h) => h.headers.filter(([k]) => k === 'set-cookie').map(([, val]) => val)));
      info.cookies_string = Object.entries(jar).map(([k, val]) => `${k}=${val}`).join('; ');
      info.cookies = jar;
      Object.assign(info, { msg: `OK (${headers['content-length'] ?? 'unknown'} bytes)`, url: o.effectiveUrl || v.url, status: o.code });
      filename = responseFilename(o.effectiveUrl || v.url, headers['content-disposition']);
    } else {
      // urllib raises HTTPError for anything but 2xx (a redirect not followed too)
      Object.assign(info, { msg: `HTTP Error ${o.code}: ${last.reason}`, body: v.body ?? '', status: o.code });
    }
  }
  const status = Number(info.status);
  const json = maybeJson(ctype.sub);
  const ok = v.statusCodes.includes(status);
  const output = json || v.returnContent || !ok;
  if (output) {
    content = hasBody ? (v.body ?? '') : '';
    delete info.body;
  }
  const resp: Record<string, unknown> = { redirected: info.url !== v.url, ...info, elapsed: v.elapsed, status, changed: false };
  const result: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(resp)) result[k.replace(/-/g, '_').toLowerCase()] = val;
  if (typeof result.location === 'string') result.location = absoluteLocation(v.url, result.location);
  if (content !== undefined && json) {
    try {
      result.json = JSON.parse(content);
    } catch {
      // not JSON after all: Ansible leaves `json` out
    }
  }
  if (!ok) result.msg = `Status code was ${status} and not [${v.statusCodes.join(', ')}]: ${String(result.msg ?? '')}`;
  if (v.returnContent && content !== undefined) result.content = content;
  return { result, ok, responded: hasBody, filename };
}
