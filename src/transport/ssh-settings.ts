// Turns Ansible's host vars (ansible_host, ansible_ssh_common_args, ...) and the user's
// ssh_config into the settings of one SSH connection, with OpenSSH's rules: for each
// option the first value obtained wins; command-line style args come before the config
// file, and the config file before built-in defaults.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import { errProxyCommand, errProxyJump, errSshArgs, errSshConfigMissing, errSshConfigRead, errSshPort } from '../errors.js';
import { shlexSplit } from '../shlex.js';

export type StrictHostKeyChecking = 'yes' | 'no' | 'accept-new';

export interface SshAlgorithms {
  kex: string[];
  cipher: string[];
  serverHostKey: string[];
  hmac: string[];
}

export interface SshSettings {
  inventoryHostname: string;
  /** Address to connect to (after ansible_host and HostName). */
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  identitiesOnly: boolean;
  password?: string;
  /** SSH agent socket, when one is usable. */
  agent?: string;
  knownHostsFiles: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  /** Name to look up in known_hosts instead of the host (OpenSSH HostKeyAlias). */
  hostKeyAlias?: string;
  /** Jump hosts in order, the first one reached directly. */
  proxyJump: SshSettings[];
  algorithms: SshAlgorithms;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

export interface SshSettingsConfig {
  hostKeyChecking: boolean;
  timeoutS: number;
  remoteUser?: string;
  sshConfigFile?: string;
}

export const MODERN_ALGORITHMS: SshAlgorithms = {
  kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521', 'diffie-hellman-group-exchange-sha256', 'diffie-hellman-group16-sha512', 'diffie-hellman-group18-sha512', 'diffie-hellman-group14-sha256'],
  // AES-GCM first: with AES-NI it is the cheapest for the controller's 2 cores.
  cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  serverHostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
};

/** What `rackplay_legacy_algorithms: true` adds, for old servers such as SL4's OpenSSH 3.9. */
export const LEGACY_ALGORITHMS: SshAlgorithms = {
  kex: ['diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group1-sha1'],
  cipher: ['aes128-cbc', 'aes256-cbc', '3des-cbc'],
  serverHostKey: ['ssh-rsa', 'ssh-dss'],
  hmac: ['hmac-sha1', 'hmac-md5'],
};

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** Ansible splits ssh argument strings with Python's shlex.split: so do we. */
export function splitArgs(text: string): string[] {
  return shlexSplit(text);
}

/** Options gathered from ssh-style args: keyword (lower case) → values in order. */
export interface SshArgs {
  options: Map<string, string[]>;
  configFile?: string;
}

// ssh(1) flags that take an argument; the ones we do not use are skipped with it.
const FLAGS_WITH_ARG = new Set('BbcDEeFIiJLlmOopQRSWw'.split(''));

function addOption(opts: Map<string, string[]>, key: string, value: string): void {
  const k = key.toLowerCase();
  const list = opts.get(k) ?? [];
  list.push(value);
  opts.set(k, list);
}

/** Parses `-o Key=Value`, `-o "Key Value"`, `-oKey=Value`, `-F`, `-i`, `-p`, `-l`, `-J`, `-c`. */
export function parseSshArgs(argv: readonly string[], into: SshArgs = { options: new Map() }): SshArgs {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a.length < 2) continue;
    // Bundled flags like -4Cq: only the last may take an argument.
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (!FLAGS_WITH_ARG.has(f)) continue;
      const value = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
      if (value === undefined) throw new Error(`ssh option -${f} needs a value`);
      switch (f) {
        case 'o': {
          const m = /^\s*([A-Za-z0-9]+)\s*(?:=\s*|\s+)(.*)$/s.exec(value);
          if (!m) throw new Error(`cannot parse ssh option -o ${value}`);
          addOption(into.options, m[1], m[2].trim().replace(/^"(.*)"$/s, '$1'));
          break;
        }
        case 'F':
          into.configFile ??= value;
          break;
        case 'i':
          addOption(into.options, 'identityfile', value);
          break;
        case 'p':
          addOption(into.options, 'port', value);
          break;
        case 'l':
          addOption(into.options, 'user', value);
          break;
        case 'J':
          addOption(into.options, 'proxyjump', value);
          break;
        case 'c':
          addOption(into.options, 'ciphers', value);
          break;
      }
      break;
    }
  }
  return into;
}

/** Applies OpenSSH's list syntax: `+x` appends, `-x` removes, `^x` prepends, else replaces. */
export function applyAlgorithmSpec(base: readonly string[], spec: string): string[] {
  const items = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
  if (spec.startsWith('+')) return [...base, ...items(spec.slice(1)).filter((x) => !base.includes(x))];
  if (spec.startsWith('^')) {
    const front = items(spec.slice(1));
    return [...front, ...base.filter((x) => !front.includes(x))];
  }
  if (spec.startsWith('-')) {
    const drop = items(spec.slice(1));
    return base.filter((x) => !drop.some((d) => wildcard(d, x)));
  }
  return items(spec);
}

function wildcard(pattern: string, s: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(s);
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

function bool(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  if (['yes', 'true', 'on', '1', 'y', 't'].includes(s)) return true;
  if (['no', 'false', 'off', '0', 'n', 'f'].includes(s)) return false;
  return undefined;
}

function expandPath(p: string, tokens: { h: string; r: string; u: string; home: string }): string {
  let out = p.replace(/%([%dhru])/g, (_, t: string) => (t === '%' ? '%' : t === 'd' ? tokens.home : t === 'h' ? tokens.h : t === 'r' ? tokens.r : tokens.u));
  if (out === '~' || out.startsWith('~/')) out = tokens.home + out.slice(1);
  return out;
}

function readConfigFile(file: string): SSHConfig | undefined {
  try {
    return SSHConfig.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw errSshConfigRead(file, (e as Error).message, { hint: 'check the -F argument in ansible_ssh_common_args or the ssh config path' });
  }
}

type Lookup = (key: string) => string | undefined;
type LookupAll = (key: string) => string[];

/** A host's options from ssh_config files, first file first. */
function configLookup(files: SSHConfig[], host: string): { one: Lookup; all: LookupAll } {
  const computed = files.map((c) => {
    const r = c.compute(host) as Record<string, string | string[]>;
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]));
  });
  const all = (key: string) => computed.flatMap((c) => (c[key] === undefined ? [] : Array.isArray(c[key]) ? (c[key] as string[]) : [c[key] as string]));
  return { one: (key) => all(key)[0], all };
}

interface ResolveInput {
  inventoryHostname: string;
  /** Host as Ansible would pass it to ssh (ansible_host). */
  host: string;
  /** Options from vars and args, in precedence order. */
  args: SshArgs;
  cfg: SshSettingsConfig;
  legacy: boolean;
  strictDefault: StrictHostKeyChecking;
  isHop: boolean;
}

function resolve(input: ResolveInput): SshSettings {
  const home = os.homedir();
  const localUser = safeLocalUser();
  const configFiles: SSHConfig[] = [];
  const userFile = input.args.configFile ?? input.cfg.sshConfigFile;
  if (userFile) {
    const c = readConfigFile(expandPath(userFile, { h: input.host, r: '', u: localUser, home }));
    if (!c) throw errSshConfigMissing(userFile, { hint: 'check the -F argument or the ssh config path' });
    configFiles.push(c);
  } else {
    for (const f of [path.join(home, '.ssh', 'config'), '/etc/ssh/ssh_config']) {
      const c = readConfigFile(f);
      if (c) configFiles.push(c);
    }
  }
  const conf = configLookup(configFiles, input.host);
  const opt = (key: string) => input.args.options.get(key)?.[0] ?? conf.one(key);
  const optAll = (key: string) => [...(input.args.options.get(key) ?? []), ...conf.all(key)];

  const hostName = opt('hostname');
  const host = hostName ? hostName.replace(/%h/g, input.host).replace(/%%/g, '%') : input.host;
  const portStr = opt('port');
  const port = portStr ? Number(portStr) : 22;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw errSshPort(input.inventoryHostname, portStr, { hint: 'ansible_port must be a number from 1 to 65535' });
  const user = opt('user') ?? localUser;
  const tokens = { h: host, r: user, u: localUser, home };

  const identitiesOnly = bool(opt('identitiesonly')) ?? false;
  let identityFiles = optAll('identityfile').map((f) => expandPath(f, tokens));
  if (identityFiles.length === 0) identityFiles = DEFAULT_IDENTITIES.map((f) => path.join(home, '.ssh', f));
  identityFiles = [...new Set(identityFiles)];

  const agentSpec = opt('identityagent');
  let agent: string | undefined = process.env.SSH_AUTH_SOCK || undefined;
  if (agentSpec) agent = agentSpec === 'none' ? undefined : agentSpec === 'SSH_AUTH_SOCK' ? agent : expandPath(agentSpec.replace(/^\$SSH_AUTH_SOCK$/, agent ?? ''), tokens);
  // IdentitiesOnly: only the configured key files are offered, not whatever the agent holds.
  if (identitiesOnly && !agentSpec && optAll('identityfile').length > 0) agent = undefined;

  const userKnown = optAll('userknownhostsfile')[0]?.split(/\s+/) ?? [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')];
  const globalKnown = optAll('globalknownhostsfile')[0]?.split(/\s+/) ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
  const knownHostsFiles = [...userKnown, ...globalKnown].filter(Boolean).map((f) => expandPath(f, tokens));

  const strictRaw = opt('stricthostkeychecking');
  let strict = input.strictDefault;
  if (strictRaw !== undefined) {
    const s = strictRaw.toLowerCase();
    strict = s === 'no' || s === 'off' ? 'no' : s === 'accept-new' ? 'accept-new' : 'yes';
  }

  const alg = (key: string, base: string[], legacyExtra: string[]) => {
    let list = input.legacy ? [...base, ...legacyExtra.filter((x) => !base.includes(x))] : [...base];
    const spec = opt(key);
    if (spec) list = applyAlgorithmSpec(list, spec);
    return list;
  };
  const algorithms: SshAlgorithms = {
    kex: alg('kexalgorithms', MODERN_ALGORITHMS.kex, LEGACY_ALGORITHMS.kex),
    cipher: alg('ciphers', MODERN_ALGORITHMS.cipher, LEGACY_ALGORITHMS.cipher),
    serverHostKey: alg('hostkeyalgorithms', MODERN_ALGORITHMS.serverHostKey, LEGACY_ALGORITHMS.serverHostKey),
    hmac: alg('macs', MODERN_ALGORITHMS.hmac, LEGACY_ALGORITHMS.hmac),
  };

  const ctRaw = opt('connecttimeout');
  const connectTimeoutS = ctRaw !== undefined && Number(ctRaw) > 0 ? Number(ctRaw) : input.cfg.timeoutS;
  const aliveRaw = opt('serveraliveinterval');
  const aliveS = aliveRaw !== undefined && Number(aliveRaw) > 0 ? Number(aliveRaw) : 15;
  const countRaw = opt('serveralivecountmax');
  const countMax = countRaw !== undefined && Number(countRaw) >= 0 ? Number(countRaw) : 3;

  const password = str(input.args.options.get('$password')?.[0]);
  const settings: SshSettings = {
    inventoryHostname: input.inventoryHostname,
    host,
    port,
    user,
    identityFiles,
    identitiesOnly,
    password,
    agent,
    knownHostsFiles,
    strictHostKeyChecking: strict,
    hostKeyAlias: opt('hostkeyalias'),
    proxyJump: [],
    algorithms,
    connectTimeoutMs: connectTimeoutS * 1000,
    keepaliveIntervalMs: aliveS * 1000,
    keepaliveCountMax: countMax,
  };

  const proxyCommand = opt('proxycommand');
  if (proxyCommand && proxyCommand.toLowerCase() !== 'none') {
    throw errProxyCommand(input.inventoryHostname, proxyCommand, {
      hint: 'use ProxyJump (ssh -J) instead, in ansible_ssh_common_args or the ssh config',
    });
  }
  const jump = opt('proxyjump');
  if (!input.isHop && jump && jump.toLowerCase() !== 'none') {
    settings.proxyJump = jump.split(',').map((spec) => {
      const hop = parseJumpSpec(spec.trim());
      const args: SshArgs = { options: new Map(), configFile: input.args.configFile };
      if (hop.user) addOption(args.options, 'user', hop.user);
      if (hop.port) addOption(args.options, 'port', String(hop.port));
      // A hop checks its key like the target does and may use the target's keys.
      for (const k of ['userknownhostsfile', 'stricthostkeychecking']) for (const v of input.args.options.get(k) ?? []) addOption(args.options, k, v);
      const hopSettings = resolve({ ...input, inventoryHostname: hop.host, host: hop.host, args, isHop: true });
      for (const f of identityFiles) if (!hopSettings.identityFiles.includes(f)) hopSettings.identityFiles.push(f);
      return hopSettings;
    });
  }
  return settings;
}

function safeLocalUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

/** `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } {
  const s = spec.replace(/^ssh:\/\//, '');
  const at = s.lastIndexOf('@');
  const user = at >= 0 ? s.slice(0, at) : undefined;
  let rest = at >= 0 ? s.slice(at + 1) : s;
  let port: number | undefined;
  const bracket = /^\[(.*)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    rest = bracket[1];
    port = bracket[2] ? Number(bracket[2]) : undefined;
  } else {
    const m = /^([^:]+):(\d+)$/.exec(rest);
    if (m) {
      rest = m[1];
      port = Number(m[2]);
    }
  }
  if (!rest) throw errProxyJump(spec, { hint: 'use [user@]host[:port], several separated by commas' });
  return { user, host: rest, port };
}

/** Settings for one host from its Ansible vars (already templated) and the run config. */
export function sshSettingsFromVars(inventoryHostname: string, vars: Record<string, unknown>, cfg: SshSettingsConfig): SshSettings {
  const v = (...names: string[]) => {
    for (const n of names) {
      const s = str(vars[n]);
      if (s !== undefined) return s;
    }
    return undefined;
  };
  const args: SshArgs = { options: new Map() };
  const parse = (name: string) => {
    const text = v(name);
    if (!text) return;
    try {
      parseSshArgs(splitArgs(text), args);
    } catch (e) {
      throw errSshArgs(name, inventoryHostname, (e as Error).message, { hint: 'write ssh options as -o Key=Value' });
    }
  };
  // Ansible's ssh command line order: ssh_args, then its own -o options, then common and
  // extra args; ssh keeps the first value of each option.
  parse('ansible_ssh_args');
  const hostKeyChecking = bool(vars.ansible_host_key_checking ?? vars.ansible_ssh_host_key_checking) ?? cfg.hostKeyChecking;
  if (!hostKeyChecking) addOption(args.options, 'stricthostkeychecking', 'no');
  const port = v('ansible_port', 'ansible_ssh_port');
  if (port) addOption(args.options, 'port', port);
  const key = v('ansible_ssh_private_key_file', 'ansible_private_key_file');
  if (key) addOption(args.options, 'identityfile', key);
  const user = v('ansible_user', 'ansible_ssh_user', 'remote_user') ?? cfg.remoteUser;
  if (user) addOption(args.options, 'user', user);
  const timeout = v('ansible_ssh_timeout', 'ansible_timeout');
  if (timeout) addOption(args.options, 'connecttimeout', timeout);
  parse('ansible_ssh_common_args');
  parse('ansible_ssh_extra_args');
  const password = v('ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password');
  if (password !== undefined) addOption(args.options, '$password', password);
  const legacy = bool(vars.rackplay_legacy_algorithms) ?? false;
  const host = v('ansible_host', 'ansible_ssh_host') ?? inventoryHostname;
  return resolve({ inventoryHostname, host, args, cfg, legacy, strictDefault: 'yes', isHop: false });
}
