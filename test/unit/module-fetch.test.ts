import { describe, expect, it } from 'vitest';
import { fetchDestination } from '../../src/modules/fetch.js';

const args = { src: '/var/log/app.log', dest: 'out', flat: false, fail_on_missing: true, validate_checksum: true };

describe('fetch destination', () => {
  const rows = [
    { name: 'per-host tree', a: args, want: '/play/out/web1/var/log/app.log' },
    { name: 'flat file', a: { ...args, flat: true, dest: 'out/app.log' }, want: '/play/out/app.log' },
    { name: 'flat into a directory', a: { ...args, flat: true, dest: 'out/' }, want: '/play/out/app.log' },
    { name: 'absolute dest', a: { ...args, dest: '/backup' }, want: '/backup/web1/var/log/app.log' },
    { name: 'relative src', a: { ...args, src: 'rel/x' }, want: '/play/out/web1/rel/x' },
  ];
  for (const row of rows) {
    it(row.name, () => expect(fetchDestination(row.a, 'web1', '/play')).toBe(row.want));
  }
});
