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

/**
 * A connection type, as Ansible's connection plugins: the `ansible_connection` names it
 * answers to and how it opens a host. Adding one is an entry here and a Transport.
 */
interface ConnectionPlugin {
  names: readonly string[];
  open(inventoryHostname: string, vars: Record<string, unknown>, cfg: OpenTransportConfig): Promise<Transport>;
}

const CONNECTIONS: readonly ConnectionPlugin[] = [
  {
    names: ['local', 'ansible.builtin.local', 'ansible.legacy.local'],
    open: async (host) => new LocalTransport(host),
  },
  {
    // paramiko and smart are served by the same ssh2 transport.
    names: ['ssh', 'paramiko', 'paramiko_ssh', 'smart', 'ansible.builtin.ssh', 'ansible.builtin.paramiko_ssh', 'ansible.legacy.ssh'],
    async open(host, vars, cfg) {
      const t = new SshTransport(host, sshSettingsFromVars(host, vars, cfg), { handshakeLimiter: cfg.handshakeLimiter });
      await t.connect();
      return t;
    },
  },
];

/** Hosts that use the local connection when they set none, as in Ansible. */
const IMPLICIT_LOCALHOST = new Set(['localhost', '127.0.0.1']);

function pluginFor(inventoryHostname: string, vars: Record<string, unknown>): ConnectionPlugin {
  const raw = vars.ansible_connection;
  const type = raw === undefined || raw === null || raw === '' ? (IMPLICIT_LOCALHOST.has(inventoryHostname) ? 'local' : 'ssh') : String(raw);
  const plugin = CONNECTIONS.find((c) => c.names.includes(type));
  if (plugin) return plugin;
  throw errConnectionType(inventoryHostname, type, {
    hint: "rackplay connects with ansible_connection 'ssh' (also for 'paramiko' and 'smart') or 'local'",
  });
}

/** The connection type a host uses (its plugin's first name); throws a LoadError for others. */
export function connectionType(inventoryHostname: string, vars: Record<string, unknown>): string {
  return pluginFor(inventoryHostname, vars).names[0];
}

/** Opens the transport for one host; SSH transports are connected before this resolves. */
export async function openTransport(inventoryHostname: string, vars: Record<string, unknown>, cfg: OpenTransportConfig): Promise<Transport> {
  return pluginFor(inventoryHostname, vars).open(inventoryHostname, vars, cfg);
}
