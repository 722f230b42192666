// Ansible's templating: Jinja2 expressions and templates over playbook variables.
// See engine.ts for how nunjucks is adapted; this file is the public surface.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { now } from './datetime.js';
import { AnsibleEnvironment, type CompiledTemplate } from './engine.js';
import { LookupFailure, TemplateError, UndefinedVariableError } from './errors.js';
import { installFilters } from './filters.js';
import { LOOKUPS, findFile, findInSearchStack, lookupTermList, type LookupContext } from './lookups.js';
import { mergeHash } from './merge-hash.js';
import { splitKwargs } from './methods.js';
import { isDict, pyStr, truthy } from './python.js';
import { TESTS } from './tests.js';
import { Undefined, assertFullyDefined, markLazyView } from './undefined.js';
import { convertRendered } from './lookup-template.js';
import { markUnsafe, unsafeReadInRender, unsafeReads, unsafeText } from './unsafe.js';

export { TemplateError, UndefinedVariableError } from './errors.js';
export { truthy } from './python.js';
export { ansibleBool } from './filters.js';
export { sequence } from './lookup-sequence.js';
export { mergeHash } from './merge-hash.js';
export { isUnsafe, markUnsafe, plainText, UnsafeText, unsafeText } from './unsafe.js';
export { ALGORITHMS as CRYPT_ALGORITHMS, cryptHash, randomSalt } from './filters-password.js';
export { pyStr } from './python.js';
export { pyJsonDumps } from './serialize.js';

/** Every lookup plugin's name: `with_<name>` is a loop over it (for the parser's list of loop keywords). */
export const LOOKUP_NAMES: readonly string[] = Object.keys(LOOKUPS);

/** Where a with_<lookup> loop's relative files are looked for, by the task's action, as Ansible's executor picks it. */
export function lookupSubdir(action: string): string {
  return action.includes('template') ? 'templates' : action.includes('var') ? 'vars' : 'files';
}

/** The value of `omit`: modules' args equal to it are dropped by the executor. */
export const OMIT_TOKEN: string = '__omit_place_holder__' + randomBytes(20).toString('hex');

const TEMPLATE_MARK = /\{\{|\{%|\{#/;
const SINGLE_VAR = /^\{\{\s*(\w*)\s*\}\}$/;

export interface TemplarOptions {
  /** Base dirs for relative paths in lookups file/template/fileglob and {% include %}. */
  searchPaths?: () => string[];
}

interface CompiledValue {
  tmpl: CompiledTemplate;
  native: boolean;
  /** The expression ends in a filter whose text Ansible keeps as text (NativeJinjaText). */
  keepText: boolean;
}

// Ansible's STRING_TYPE_FILTERS: their result is never read back as a literal
const STRING_TYPE_FILTERS = new Set(['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml', 'ppretty', 'json']);

const nodes = (nunjucks as unknown as { nodes: Record<string, new (...a: unknown[]) => { children: unknown[] }> }).nodes;

export class Templar {
  private readonly env: AnsibleEnvironment;
  private readonly valueCache = new Map<string, CompiledValue>();
  private readonly exprCache = new Map<string, CompiledTemplate>();
  private readonly searchPaths: () => string[];

  constructor(opts: TemplarOptions = {}) {
    this.searchPaths = opts.searchPaths ?? (() => []);
    const env = new AnsibleEnvironment();
    this.env = env;
    installFilters(env as never);
    for (const name of Object.keys(env.tests)) delete env.tests[name];
    for (const [name, fn] of Object.entries(TESTS)) env.tests[name] = fn;
    this.installGlobals();
    env.loadTemplateSource = (name, parentName) => {
      const dirs = [...(parentName && path.isAbsolute(parentName) ? [path.dirname(parentName)] : []), ...this.searchPaths()];
      const found = findFile(name, 'templates', dirs);
      return found ? { src: readFileSync(found, 'utf8'), path: found } : undefined;
    };
  }

  private installGlobals(): void {
    const templar = this;
    const globals = this.env.globals;
    for (const name of Object.keys(globals)) delete globals[name];
    const runLookup = function (this: unknown, forceList: boolean, args: unknown[]): unknown {
      const { pos, kw } = splitKwargs(args);
      for (const a of pos) if (a instanceof Undefined) throw a.error();
      const errors = String(kw.errors ?? 'strict');
      const wantlist = truthy(kw.wantlist ?? false);
      const opts = { ...kw };
      delete opts.wantlist;
      delete opts.errors;
      const vars = (this as { getVariables?: () => Record<string, unknown> })?.getVariables?.() ?? {};
      let ran: unknown[];
      try {
        // Ansible templates the terms once more (listify_lookup_plugin_terms); never text read from unsafe values
        const terms = unsafeReadInRender() ? pos.slice(1) : pos.slice(1).map((t) => templar.render(t, vars));
        ran = templar.lookup(String(pos[0] ?? ''), terms, opts, vars);
      } catch (e) {
        if (errors === 'ignore' || errors === 'warn') return forceList || wantlist ? [] : null;
        if (e instanceof UndefinedVariableError || e instanceof LookupFailure || !(e instanceof TemplateError)) throw e;
        if (/^lookup plugin \(/.test(e.message)) throw e;
        // Ansible's words for an error the lookup did not handle itself, its message twice
        throw new TemplateError(`An unhandled exception occurred while running the lookup plugin '${pos[0]}'. Error was a <class 'ansible.errors.AnsibleError'>, original message: ${e.message}. ${e.message}`);
      }
      // an empty list comes back as it is, even from lookup() (Ansible joins only a non-empty one)
      if (forceList || wantlist || ran.length === 0) return ran;
      if (ran.every((x) => typeof x === 'string')) return ran.join(',');
      return ran.length === 1 ? ran[0] : ran;
    };
    globals.lookup = function (this: unknown, ...args: unknown[]) {
      return runLookup.call(this, false, args);
    };
    globals.query = function (this: unknown, ...args: unknown[]) {
      return runLookup.call(this, true, args);
    };
    globals.q = globals.query;
    globals.range = (...args: unknown[]) => {
      const [a, b, c] = args.map((x) => Number(x));
      const [start, stop, step] = args.length === 1 ? [0, a, 1] : [a, b, args.length > 2 ? c : 1];
      if (step === 0) throw new TemplateError('range() arg 3 must not be zero');
      const out: number[] = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
      if (out.length > 100000) throw new TemplateError('range too big');
      return out;
    };
    globals.dict = (...args: unknown[]) => {
      const { pos, kw } = splitKwargs(args);
      const base = isDict(pos[0]) ? pos[0] : Array.isArray(pos[0]) ? Object.fromEntries((pos[0] as unknown[][]).map(([k, v]) => [pyStr(k), v])) : {};
      return { ...base, ...kw };
    };
    globals.omit = OMIT_TOKEN;
    globals.now = (...args: unknown[]) => {
      const { pos, kw } = splitKwargs(args);
      const fmt = pos[1] ?? kw.fmt;
      return now(truthy(pos[0] ?? kw.utc ?? false), fmt === undefined || fmt === null ? undefined : pyStr(fmt));
    };
  }

  /**
   * Runs a lookup plugin and returns its list (what query() and with_<name> get). Relative
   * files are looked for as Ansible's search path has it: the role first (role_path), then
   * the playbook directory.
   */
  lookup(name: string, terms: unknown[], kw: Record<string, unknown>, vars: Record<string, unknown>, subdir?: string): unknown[] {
    const short = name.replace(/^(ansible\.builtin\.|ansible\.legacy\.)/, '');
    const plugin = Object.prototype.hasOwnProperty.call(LOOKUPS, short) ? LOOKUPS[short] : undefined;
    if (!plugin) throw new TemplateError(`lookup plugin (${name}) not found`);
    const rolePath = vars.role_path;
    const searchPaths = [...new Set([...(typeof rolePath === 'string' && rolePath ? [rolePath] : []), ...this.searchPaths()])];
    // the task's own stack (roles, then the task file's directory), as Ansible's find_file_in_search_path takes it
    const stack = Array.isArray(vars.ansible_search_path) ? vars.ansible_search_path.map(String) : searchPaths;
    const basedir = typeof vars.playbook_dir === 'string' ? vars.playbook_dir : this.searchPaths()[0];
    const ctx: LookupContext = {
      vars,
      searchPaths,
      subdir,
      findFile: (file, dir) => findInSearchStack(file, dir, stack, basedir),
      renderFile: (file, v, tags) => this.renderFile(file, v, tags),
    };
    return plugin(ctx, lookupTermList(short, terms), kw);
  }

  isTemplated(value: unknown): boolean {
    if (typeof value === 'string') return TEMPLATE_MARK.test(value);
    if (isOpaque(value)) return false;
    if (Array.isArray(value)) return value.some((v) => this.isTemplated(v));
    if (isDict(value)) return Object.values(value).some((v) => this.isTemplated(v));
    return false;
  }

  /** Deep-renders strings in value. Containers without templates come back as the same object. */
  render(value: unknown, vars: Record<string, unknown>): unknown {
    if (typeof value === 'string') return TEMPLATE_MARK.test(value) ? this.renderValueString(value, vars) : value;
    if (isOpaque(value)) return value;
    if (Array.isArray(value)) {
      let changed = false;
      const out = value.map((v) => {
        const r = this.render(v, vars);
        if (r !== v) changed = true;
        return r;
      });
      return changed ? out : value;
    }
    if (isDict(value)) {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const key = typeof k === 'string' && TEMPLATE_MARK.test(k) ? pyStr(this.renderValueString(k, vars)) : k;
        const r = this.render(v, vars);
        if (r !== v || key !== k) changed = true;
        out[key] = r;
      }
      return changed ? out : value;
    }
    return value;
  }

  /**
   * A template file as the template lookup renders it: its own directory first for
   * {% include %}, optionally with other delimiters.
   */
  renderFile(file: string, vars: Record<string, unknown>, tags?: Record<string, string>): string {
    const source = readFileSync(file, 'utf8');
    // the file's directory is part of what the compiled includes resolve against
    const key = `${path.resolve(file)}\0${JSON.stringify(tags ?? {})}\0${source}`;
    const tmpl = this.env.compiled(key, () => this.env.parse(source, tags), path.resolve(file), false);
    return this.env.run(tmpl, vars).output;
  }

  renderString(template: string, vars: Record<string, unknown>): string {
    if (!TEMPLATE_MARK.test(template)) return template;
    const tmpl = this.env.compiled(template, () => this.env.parse(template), '', false);
    return this.env.run(tmpl, vars).output;
  }

  evaluate(expression: string, vars: Record<string, unknown>): unknown {
    let tmpl = this.exprCache.get(expression);
    if (!tmpl) {
      tmpl = this.env.compiled(
        '{{ ' + expression + ' }}',
        () => {
          const expr = this.env.parseExpression(expression);
          return new nodes.Root(0, 0, [new nodes.Output(0, 0, [expr])]);
        },
        '',
        true,
      );
      if (this.exprCache.size > 5000) this.exprCache.clear();
      this.exprCache.set(expression, tmpl);
    }
    return this.nativeResult(this.env.run(tmpl, vars).context.rpResult);
  }

  evaluateCondition(cond: unknown, vars: Record<string, unknown>): boolean {
    if (typeof cond === 'boolean') return cond;
    if (cond === null || cond === undefined) return true;
    if (typeof cond !== 'string') return truthy(cond);
    const text = cond.trim();
    if (text === '') return true;
    if (!TEMPLATE_MARK.test(text)) return truthy(this.evaluate(text, vars));
    const rendered = this.render(text, vars);
    if (typeof rendered !== 'string') return truthy(rendered);
    // Older playbooks template the whole condition ("{{ x }} == 'a'"): the rendered
    // text is itself the expression, as Ansible evaluated it.
    const again = rendered.trim();
    if (again === '') return false;
    try {
      return truthy(this.evaluate(again, vars));
    } catch (e) {
      if (e instanceof UndefinedVariableError) return truthy(rendered);
      if (e instanceof TemplateError) return truthy(rendered);
      throw e;
    }
  }

  private compileValue(src: string): CompiledValue {
    let hit = this.valueCache.get(src);
    if (!hit) {
      // a playbook value: YAML has unescaped it already (Ansible's escape_backslashes)
      const ast = this.env.checkedParse(src, () => this.env.parse(src, undefined, true));
      const children = ast.children as { typename: string; children: { typename: string }[] }[];
      const native = children.length === 1 && children[0].typename === 'Output' && children[0].children.length === 1 && children[0].children[0].typename !== 'TemplateData';
      const top = native ? (children[0].children[0] as unknown as { typename: string; name?: { value?: unknown } }) : undefined;
      const keepText = top?.typename === 'Filter' && STRING_TYPE_FILTERS.has(String(top.name?.value ?? '').replace(/^ansible\.(builtin|legacy)\./, ''));
      // Single expressions compile to capture the value itself rather than its text.
      hit = { tmpl: this.env.compiled(src, () => ast, '', native, 'E'), native, keepText };
      if (this.valueCache.size > 5000) this.valueCache.clear();
      this.valueCache.set(src, hit);
    }
    return hit;
  }

  /** A value string rendered; built from unsafe text, a result that looks like a template stays unsafe. */
  private renderValueString(src: string, vars: Record<string, unknown>): unknown {
    const before = unsafeReads();
    const { value, converted } = this.renderValueStringOnce(src, vars);
    if (unsafeReads() === before) return value;
    if (typeof value === 'string') return unsafeText(value);
    // a literal read back from unsafe text is unsafe all through (wrap_var)
    return converted ? markUnsafe(value) : value;
  }

  /**
   * Ansible's ansible_eval_concat: a value template's text that reads as a Python dict,
   * list or bool literal (JSON's true/false/null too) becomes that value. A single
   * expression's string result goes through the same, unless a string-type filter made it.
   */
  private renderValueStringOnce(src: string, vars: Record<string, unknown>): { value: unknown; converted: boolean } {
    const raw = this.renderValueText(src, vars);
    if (typeof raw !== 'string' || this.compileValue(src).keepText) return { value: raw, converted: false };
    // Jinja drops the source's one trailing newline; Ansible adds it back only to a string
    const value = convertRendered(src.endsWith('\n') ? raw.replace(/\n$/, '') : raw);
    return typeof value === 'string' ? { value: raw, converted: false } : { value, converted: true };
  }

  private renderValueText(src: string, vars: Record<string, unknown>): unknown {
    const { tmpl, native } = this.compileValue(src);
    const { output, context } = this.env.run(tmpl, vars);
    if (!native) return output;
    const value = this.nativeResult(context.rpResult);
    // Ansible's finalize prints None as ''; only a bare `{{ name }}` of a None variable
    // short-cuts to the value itself (Templar.template's SINGLE_VAR).
    if (value === null) {
      const single = SINGLE_VAR.exec(src);
      if (!single || !(single[1] in vars)) return '';
    }
    return value;
  }

  private nativeResult(v: unknown): unknown {
    if (v instanceof Undefined) throw v.error();
    if (v === undefined) return null;
    assertFullyDefined(v);
    return v;
  }
}

/**
 * A merged view of variable layers (lowest precedence first). Templated values are
 * rendered on each access against the whole view, so definition order does not
 * matter; a variable that needs itself is reported instead of overflowing the stack.
 * Nothing is cached: layers may change between accesses (set_fact, register).
 */
const opaqueValues = new WeakSet<object>();

/**
 * Marks a value whose members are already rendered on access (a lazy variable view,
 * `hostvars`): render and isTemplated must not walk into it, since walking would render
 * every variable of every host, and hostvars refers back to itself.
 */
export function opaque<T extends object>(value: T): T {
  opaqueValues.add(value);
  markLazyView(value);
  return value;
}

function isOpaque(value: unknown): boolean {
  return typeof value === 'object' && value !== null && opaqueValues.has(value);
}

/**
 * With `merge` (Ansible's hash_behaviour=merge), a dict variable is the recursive merge of
 * its dict values in every layer, lowest first, as combine_vars merges them; a non-dict
 * value in a layer replaces what is below it.
 */
export function lazyVars(layers: Record<string, unknown>[], templar: Templar, merge = false): Record<string, unknown> {
  const resolving: string[] = [];
  const has = (layer: Record<string, unknown>, key: string) => Object.prototype.hasOwnProperty.call(layer, key);
  const owner = (key: string): Record<string, unknown> | undefined => {
    for (let i = layers.length - 1; i >= 0; i--) if (has(layers[i], key)) return layers[i];
    return undefined;
  };
  const rawValue = (layer: Record<string, unknown>, key: string): unknown => {
    if (!merge || !isDict(layer[key])) return layer[key];
    let acc: unknown;
    for (const l of layers) if (has(l, key)) acc = isDict(acc) && isDict(l[key]) ? mergeHash(acc, l[key]) : l[key];
    return acc;
  };
  const read = (key: string): unknown => {
    const layer = owner(key);
    if (!layer) return undefined;
    const raw = rawValue(layer, key);
    if (!templar.isTemplated(raw)) return raw;
    if (resolving.includes(key)) {
      const chain = [...resolving.slice(resolving.indexOf(key)), key].join(' -> ');
      throw new TemplateError(`recursive loop detected in template: ${chain}`);
    }
    resolving.push(key);
    try {
      return templar.render(raw, view);
    } finally {
      resolving.pop();
    }
  };
  const target = Object.create(null) as Record<string, unknown>;
  const view: Record<string, unknown> = new Proxy(target, {
    get: (_t, key) => (typeof key === 'string' ? read(key) : undefined),
    has: (_t, key) => typeof key === 'string' && owner(key) !== undefined,
    ownKeys: () => [...new Set(layers.flatMap((l) => Object.keys(l)))],
    // an accessor, so Object.keys (which asks for every descriptor) renders nothing: a
    // variable that cannot render fails only where it is used, as Ansible's lazy vars do
    getOwnPropertyDescriptor: (_t, key) =>
      typeof key === 'string' && owner(key) ? { get: () => read(key), enumerable: true, configurable: true } : undefined,
  });
  // Its members render on access: a template whose value is the view (`{{ hostvars[h] }}`)
  // keeps it lazy, as Ansible's HostVarsVars, instead of rendering every variable at once.
  return opaque(view);
}
