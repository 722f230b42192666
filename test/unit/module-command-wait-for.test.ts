import { describe, expect, it } from 'vitest';
import { countActiveConnections, pythonRegex, readPortProbe, searchGroups } from '../../src/modules/wait-for.js';

const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 12346 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 0A01020A:C351 06 00000000:00000000 00:00000000 00000000     0        0 0 3 0000000000000000
   3: 0100007F:0016 0100007F:C352 01 00000000:00000000 00:00000000 00000000     0        0 12347 1 0000000000000000 20 4 30 10 -1
`;

describe('wait_for helpers', () => {
  it('counts active connections on a port, not listeners, minus excluded peers', () => {
    expect(countActiveConnections(PROC_NET_TCP, 8080, ['ESTABLISHED', 'TIME_WAIT'])).toBe(2);
    expect(countActiveConnections(PROC_NET_TCP, 8080, ['ESTABLISHED'])).toBe(1);
    expect(countActiveConnections(PROC_NET_TCP, 8080, ['ESTABLISHED', 'TIME_WAIT'], ['10.2.1.10'])).toBe(1);
    expect(countActiveConnections(PROC_NET_TCP, 22, ['ESTABLISHED'])).toBe(1);
    expect(countActiveConnections(PROC_NET_TCP, 9999, ['ESTABLISHED'])).toBe(0);
  });

  it('translates Python named groups and is MULTILINE', () => {
    const m = searchGroups(pythonRegex('^ready (?P<port>\\d+)(?P<x>!)?$'), 'boot\nready 8080\n');
    expect(m).toEqual({ groups: ['8080', null], groupdict: { port: '8080', x: null } });
    expect(searchGroups(pythonRegex('(?P<a>x)(?P=a)'), 'xx')?.groups).toEqual(['x']);
    expect(searchGroups(pythonRegex('nomatch'), 'text')).toBeUndefined();
  });

  it('reads the port probe status line after the server data', () => {
    expect(readPortProbe('SSH-2.0-OpenSSH\n\nN1:0\n', 'N1')).toEqual({ notool: false, connected: true, data: 'SSH-2.0-OpenSSH\n' });
    expect(readPortProbe('\nN1:143\n', 'N1')).toMatchObject({ connected: false });
    expect(readPortProbe('N1:notool\n', 'N1')).toMatchObject({ notool: true });
  });
});
