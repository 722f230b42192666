// The shared part of the playbook loader: options, the parser's scope, small helpers,
// and the base class holding the loader's state.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { type SourcePos, LoadError, UserError, errStaticName, errUnresolvableTemplate, errYamlDuplicateKey } from '../errors.js';
import type { ModuleRegistry } from '../modules/registry.js';
import { resolveModuleName } from './library-modules.js';
import type { Handler, RoleInstance, Task, TaskNode } from './types.js';
import { isTemplated } from './validate-args.js';
import { readYamlFile, type DocPath, type YamlFile } from './yaml-file.js';

export interface LoadOptions {
  registry: ModuleRegistry;
  /** From ansible.cfg roles_path / ANSIBLE_ROLES_PATH. */
  rolesPath: string[];
  /** From ansible.cfg library / ANSIBLE_LIBRARY: where modules of the user's own are. */
  libraryPath?: string[];
  /**
   * Renders a template in a static position (an import_tasks / import_role / roles: name,
   * an import_playbook path) with the variables known before the run (extra vars, play
   * vars, given as `vars`). Without it, templated static names are an error.
   */
  renderStatic?: (template: string, pos: SourcePos, vars: Record<string, unknown>) => unknown;
  /**
   * What ansible-playbook finds only when a task runs (module arguments, the contents of a
   * dynamically included file) is told here as a warning and the load goes on; the task
   * fails when, and if, it runs. Without it such problems pass silently.
   */
  warn?: (problem: UserError) => void;
  /** A deprecated form Ansible 2.14 still accepts (its words, printed once). */
  deprecate?: (message: string) => void;
  /** `--strict`: those problems are load errors too. */
  strict?: boolean;
  /**
   * The directory plays resolve against (playbook_dir, roles/, files/) when the playbook is
   * not a file of the user's: the ad-hoc command's one-task play works from the current directory.
   */
  playDir?: string;
  /**
   * A key written twice in a YAML mapping: Ansible's DUPLICATE_YAML_DICT_KEY (warn, error
   * or ignore). Without it, the ANSIBLE_DUPLICATE_YAML_DICT_KEY environment variable, then warn.
   */
  duplicateDictKey?: string;
}

export interface RoleLoadOptions {
  baseDir: string;
  params?: Record<string, unknown>;
  tasksFrom?: string;
  handlersFrom?: string;
  varsFrom?: string;
  defaultsFrom?: string;
  /** include_role's rolespec_validate. */
  rolespecValidate?: boolean;
  pos?: SourcePos;
}

let uidCounter = 0;
export function nextUid(pos: SourcePos): string {
  uidCounter++;
  return `${pos.file}:${pos.line}:${pos.col}#${uidCounter}`;
}

/** Where the parser is: which file, which role, which imports led here. */
export interface ParseScope {
  y: YamlFile;
  /** Directory of the current file. */
  dir: string;
  /** Directory of the playbook (Ansible's loader basedir). */
  playDir: string;
  role?: RoleInstance;
  /** Files being imported, outermost first, for cycle detection. */
  importChain: string[];
  /** Role directories being loaded, outermost first. */
  roleChain: string[];
  handlers: boolean;
  /** Inside a handler block or a file imported into handlers, where Ansible refuses a block. */
  handlerNested?: boolean;
  /** A module_defaults keyword is in effect, so required arguments may come from it. */
  moduleDefaults: boolean;
  /** Handlers of roles brought in with import_role, made available to the whole play. */
  importedHandlers?: Handler[];
  /** Directories of the files that included/imported this one (nearest first). */
  parentDirs: string[];
  /** The play's import_role roles as they load (Play.importedRoles), shared by the whole play. */
  importedRoles?: RoleInstance[];
  /** Roles the play has run so far (roles: and import_role), shared by the whole play. */
  ranRoles?: Set<string>;
  /** The play's vars, for names resolved before the run (import_role, loop_var). */
  staticVars?: Dict;
  /**
   * Under an include_tasks or include_role: Ansible 2.14 makes a legacy `include:` static
   * only when all its parents are static, so there it is dynamic (read when it runs).
   */
  dynamicParent?: boolean;
}

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

export function typeWord(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (isDict(v)) return 'a mapping';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)})`;
  return `a ${typeof v} (${String(v)})`;
}

const TASK_FILE_EXTS = ['', '.yml', '.yaml', '.json'];

export function findWithExts(dir: string, name: string): string | undefined {
  for (const ext of TASK_FILE_EXTS) {
    // resolve, not join: an absolute name stays itself, as Python's os.path.join keeps it
    const p = path.resolve(dir, name + ext);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

export function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}

export function optStr(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/**
 * The loader's state (the file cache, the include files checked ahead) and what every
 * part needs. The parts are subclasses in a chain, base → roles → includes → tasks →
 * plays (loader.ts), so each file holds one concern without import cycles; the one
 * call that goes up the chain, parseTaskList, is declared here.
 */
export abstract class LoaderBase {
  protected readonly files = new Map<string, Promise<YamlFile>>();
  /** include_tasks files already checked ahead of the run. */
  protected readonly prevalidated = new Set<string>();

  /** The library/ directories of the roles loaded so far: Ansible adds each to its module path. */
  protected readonly roleLibraries: string[] = [];

  constructor(readonly opts: LoadOptions) {}

  /** Whether `name` is a module: a registered one, or one found now in a library/ directory. */
  protected knowsModule(name: string, sc: { playDir: string }): boolean {
    return resolveModuleName(this.opts.registry, name, () => [path.join(sc.playDir, 'library'), ...this.roleLibraries, ...(this.opts.libraryPath ?? [])]);
  }

  protected file(p: string, from?: SourcePos): Promise<YamlFile> {
    let f = this.files.get(p);
    if (!f) {
      f = readYamlFile(p, from).then((y) => this.checkDuplicateKeys(y));
      this.files.set(p, f);
      // a failed read should be retried (and reported) by the next caller, not cached
      f.catch(() => this.files.delete(p));
    }
    return f;
  }

  /** Ansible's DUPLICATE_YAML_DICT_KEY: the last value is kept, and the user told (or stopped). */
  private checkDuplicateKeys(y: YamlFile): YamlFile {
    const policy = (this.opts.duplicateDictKey ?? process.env.ANSIBLE_DUPLICATE_YAML_DICT_KEY ?? 'warn').toLowerCase();
    if (policy === 'ignore' || !y.duplicateKeys) return y;
    for (const d of y.duplicateKeys) {
      const problem = errYamlDuplicateKey(d.key, { pos: d.pos, hint: 'remove one of the two; YAML keeps only the last value' });
      if (policy === 'error') throw problem;
      this.opts.warn?.(problem);
    }
    return y;
  }

  /** A problem Ansible reports only when the task runs: a warning now, or an error with --strict. */
  protected deferred(e: unknown): void {
    if (this.opts.strict || !(e instanceof UserError)) throw e;
    this.opts.warn?.(e);
  }

  protected staticName(value: unknown, what: string, pos: SourcePos, hint: string, vars: Dict = {}): string {
    if (typeof value !== 'string' || value.trim() === '') {
      throw errStaticName(what, typeWord(value), { pos, hint });
    }
    if (!isTemplated(value)) return value;
    if (this.opts.renderStatic) {
      let rendered: unknown;
      try {
        rendered = this.opts.renderStatic(value, pos, vars);
      } catch {
        // a variable only the hosts have: reported below as needing run-time values
      }
      if (typeof rendered === 'string' && rendered.trim() !== '' && !isTemplated(rendered)) return rendered;
    }
    throw errUnresolvableTemplate(what, value, { pos, hint });
  }

  /** loop_control's loop_var/index_var written as a template: resolved with the play's vars. */
  protected loopVarRenderer(sc: ParseScope): (template: string, what: string, pos: SourcePos) => string {
    return (template, what, pos) => {
      try {
        return this.staticName(template, `loop_control.${what}`, pos, 'give a variable name, or a template of the play\'s vars or extra vars', sc.staticVars);
      } catch (e) {
        // needs the task's or a host's vars: Ansible templates loop_control when the task runs
        if (e instanceof LoadError && e.code === 'UNRESOLVABLE_TEMPLATE') return template;
        throw e;
      }
    };
  }

  abstract parseTaskList(value: unknown, p: DocPath, sc: ParseScope): Promise<TaskNode[]>;
}
