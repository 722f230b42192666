// Picks the transport for a host from its connection vars, as Ansible's
// `ansible_connection` does, and opens it.
import { errConnectionType } from '../errors.js';
import { LocalTransport } from './local.js';
import { HandshakeLimiter, SshTransport } from './ssh.js';
import { sshSettingsFromVars, type SshSettingsConfig } from './ssh-settings.js';
import type { Transport } from './types.js';

export { HandshakeLimiter } from './ssh.js';

export interface OpenTransportConfig extends SshSettingsConfig {
  /** Shared by all hosts of a run, so handshakes are capped apart from forks. */
  handshakeLimiter?: HandshakeLimiter;
}

const SSH_TYPES = new Set(['ssh', 'paramiko', 'paramiko_ssh', 'smart', 'ansible.builtin.ssh', 'ansible.builtin.paramiko_ssh', 'ansible.legacy.ssh']);
const LOCAL_TYPES = new Set(['local', 'ansible.builtin.local', 'ansible.legacy.local']);
const IMPLICIT_LOCALHOST = new Set(['localhost', '127.0.0.1']);

/** The connection type a host uses: 'local' or 'ssh'; throws a LoadError for others. */
export function connectionType(inventoryHostname: string, vars: Record<string, unknown>): 'local' | 'ssh' {
  const raw = vars.ansible_connection;
  if (raw === undefined || raw === null || raw === '') return IMPLICIT_LOCALHOST.has(inventoryHostname) ? 'local' : 'ssh';
  const type = String(raw);
  if (LOCAL_TYPES.has(type)) return 'local';
  if (SSH_TYPES.has(type)) return 'ssh';
  throw errConnectionType(inventoryHostname, type, {
    hint: "rackplay connects with ansible_connection 'ssh' (also for 'paramiko' and 'smart') or 'local'",
  });
}

/** Opens the transport for one host; SSH transports are connected before this resolves. */
export async function openTransport(inventoryHostname: string, vars: Record<string, unknown>, cfg: OpenTransportConfig): Promise<Transport> {
  if (connectionType(inventoryHostname, vars) === 'local') return new LocalTransport(inventoryHostname);
  const settings = sshSettingsFromVars(inventoryHostname, vars, cfg);
  const t = new SshTransport(inventoryHostname, settings, { handshakeLimiter: cfg.handshakeLimiter });
  await t.connect();
  return t;
}
