// Host entries in an inventory may carry a port (`db1:2222`, `[::1]:22`) and a
// range (`web[01:20]`). This splits off the port and expands the range.

import { type SourcePos, errHostRange, errHostTrailingColon } from '../errors.js';
import { HostRangeError, expandHostRange } from './host-range.js';

export interface HostEntry {
  names: string[];
  port?: number;
}

/** `pos` points at the first character of `text`; range errors are reported at their column. */
export function parseHostEntry(text: string, pos: SourcePos): HostEntry {
  let host = text;
  let port: number | undefined;
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
  } else {
    const m = /^(.*):(\d+)$/.exec(text);
    // Only a single ':' outside [ranges] means host:port; more is an IPv6 address.
    if (m && !m[1].replace(/\[[^\]]*\]/g, '').includes(':')) {
      host = m[1];
      port = Number(m[2]);
    }
  }
  if (host.endsWith(':') && port === undefined) {
    throw errHostTrailingColon(text, {
      pos,
      hint: 'write host:PORT, or check whether this file is YAML read as INI (YAML inventories need a .yml/.yaml extension or valid YAML)',
    });
  }
  try {
    return { names: expandHostRange(host), port };
  } catch (e) {
    if (e instanceof HostRangeError) {
      throw errHostRange(e.message, { pos: { ...pos, col: pos.col + e.offset }, hint: e.hint ?? 'ranges look like web[01:20], db-[a:f] or node[1:9:2]' });
    }
    throw e;
  }
}
