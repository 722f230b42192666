// ansible.cfg: the file Ansible users already have. Looked up as Ansible does
// (ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg), then the
// ANSIBLE_* environment variables override it.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findConfigFile, parseIni } from '../ansible-cfg.js';
import { ansibleBool } from '../boolean.js';
import { errConfigGathering } from '../errors.js';

export interface Config {
  file?: string;
  inventory: string[];
  forks: number;
  rolesPath: string[];
  /** ANSIBLE_LIBRARY / `library`: directories of modules of the user's own. */
  libraryPath: string[];
  hostKeyChecking: boolean;
  timeout: number;
  remoteUser?: string;
  gathering: 'implicit' | 'explicit' | 'smart';
  displaySkippedHosts: boolean;
  /** The default callback's check_mode_markers: "DRY RUN" and "[CHECK MODE]" on banners. */
  checkModeMarkers: boolean;
  displayOkHosts: boolean;
  displayFailedStderr: boolean;
  showTaskPathOnFailure: boolean;
  showCustomStats: boolean;
  forceHandlers: boolean;
  /** ERROR_ON_MISSING_HANDLER: false makes an unknown notify a warning. */
  errorOnMissingHandler: boolean;
  /** ANSIBLE_NO_LOG / [defaults] no_log: no_log for every task that does not set it. */
  noLog: boolean;
  stdoutCallback: string;
  becomeAskPass: boolean;
  /** `[rackplay] strict`: what Ansible checks only when a task runs is a load error. */
  strict: boolean;
}

/** rackplay's default forks is higher than Ansible's 5: a rack is tens of hosts. */
export const DEFAULT_FORKS = 50;

function bool(v: string | undefined, dflt: boolean): boolean {
  return v === undefined || v === '' ? dflt : ansibleBool(v);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const file = findConfigFile(env, cwd);
  const ini = file ? parseIni(readFileSync(file, 'utf8'), file) : {};
  const d = ini.defaults ?? {};
  const pe = ini.privilege_escalation ?? {};
  const rp = ini.rackplay ?? {};
  const get = (envName: string, key: string, section: Record<string, string> = d) => env[envName] ?? section[key];
  const dir = file ? path.dirname(file) : cwd;
  const pathList = (v: string | undefined) => (v ? v.split(/[:,]/).filter(Boolean).map((p) => path.resolve(dir, p.replace(/^~(?=\/|$)/, os.homedir()))) : []);
  const forks = Number(get('ANSIBLE_FORKS', 'forks') ?? DEFAULT_FORKS);
  const gathering = (get('ANSIBLE_GATHERING', 'gathering') ?? 'implicit').toLowerCase();
  if (!['implicit', 'explicit', 'smart'].includes(gathering)) throw errConfigGathering(gathering, {});
  return {
    file,
    inventory: pathList(get('ANSIBLE_INVENTORY', 'inventory') ?? get('ANSIBLE_HOSTS', 'hostfile')),
    forks: Number.isFinite(forks) && forks > 0 ? forks : DEFAULT_FORKS,
    rolesPath: pathList(get('ANSIBLE_ROLES_PATH', 'roles_path')),
    libraryPath: pathList(get('ANSIBLE_LIBRARY', 'library')),
    hostKeyChecking: bool(get('ANSIBLE_HOST_KEY_CHECKING', 'host_key_checking'), true),
    timeout: Number(get('ANSIBLE_TIMEOUT', 'timeout') ?? 10),
    remoteUser: get('ANSIBLE_REMOTE_USER', 'remote_user'),
    gathering: gathering as Config['gathering'],
    displaySkippedHosts: bool(get('ANSIBLE_DISPLAY_SKIPPED_HOSTS', 'display_skipped_hosts'), true),
    displayOkHosts: bool(get('ANSIBLE_DISPLAY_OK_HOSTS', 'display_ok_hosts'), true),
    displayFailedStderr: bool(get('ANSIBLE_DISPLAY_FAILED_STDERR', 'display_failed_stderr'), false),
    showTaskPathOnFailure: bool(get('ANSIBLE_SHOW_TASK_PATH_ON_FAILURE', 'show_task_path_on_failure'), false),
    showCustomStats: bool(get('ANSIBLE_SHOW_CUSTOM_STATS', 'show_custom_stats'), false),
    checkModeMarkers: bool(get('ANSIBLE_CHECK_MODE_MARKERS', 'check_mode_markers'), false),
    forceHandlers: bool(get('ANSIBLE_FORCE_HANDLERS', 'force_handlers'), false),
    errorOnMissingHandler: bool(get('ANSIBLE_ERROR_ON_MISSING_HANDLER', 'error_on_missing_handler'), true),
    noLog: bool(get('ANSIBLE_NO_LOG', 'no_log'), false),
    stdoutCallback: get('ANSIBLE_STDOUT_CALLBACK', 'stdout_callback') ?? 'default',
    becomeAskPass: bool(get('ANSIBLE_BECOME_ASK_PASS', 'become_ask_pass', pe), false),
    strict: bool(get('RACKPLAY_STRICT', 'strict', rp), false),
  };
}
