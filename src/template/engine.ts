// The Jinja2 dialect Ansible speaks, built from nunjucks's lexer and code generator.
// nunjucks is close to Jinja2 but evaluates with JS semantics; here a Parser and
// Compiler subclass (jinja-parser.ts, jinja-compiler.ts) route every operator, attribute
// access, truth test and output through our own runtime (jinja-runtime.ts: Python
// semantics + StrictUndefined). Nothing in the nunjucks module is patched: the
// subclasses and runtime object are private to these modules, so other nunjucks users
// in the process are unaffected.
/* eslint-disable @typescript-eslint/no-explicit-any -- nunjucks internals are untyped */
import { TemplateError } from './errors.js';
import { AnsibleCompiler } from './jinja-compiler.js';
import { AnsibleParser, lexBalanced, type LexOptions } from './jinja-parser.js';
import { runtime } from './jinja-runtime.js';
import { asRender } from './unsafe.js';
import { nj, type AnyFrame, type AnyNode, type Callback } from './nunjucks-internals.js';

// Importers reach these through this module.
export type { LexOptions } from './jinja-parser.js';
export { UNDEFINED_AWARE_TESTS, type TestFn } from './jinja-runtime.js';

const Frame = nj.runtime.Frame;

/** Template variables: a view over the caller's vars, with `{% set %}` written to a private layer. */
class RenderContext {
  readonly ctx: Record<string, unknown>;
  readonly blocks: Record<string, AnyNode[]> = {};
  readonly exported: string[] = [];
  rpResult: unknown = undefined;
  constructor(
    vars: Record<string, unknown>,
    blocks: Record<string, AnyNode>,
    readonly env: AnsibleEnvironment,
  ) {
    this.ctx = Object.create(vars);
    for (const [name, block] of Object.entries(blocks)) this.addBlock(name, block);
  }
  lookup(name: string): unknown {
    if (name in this.ctx) return this.ctx[name];
    return this.env.globals[name];
  }
  setVariable(name: string, val: unknown): void {
    this.ctx[name] = val;
  }
  getVariables(): Record<string, unknown> {
    return this.ctx;
  }
  addBlock(name: string, block: AnyNode): this {
    (this.blocks[name] ??= []).push(block);
    return this;
  }
  getBlock(name: string): AnyNode {
    if (!this.blocks[name]) throw new TemplateError(`unknown block "${name}"`);
    return this.blocks[name][0];
  }
  getSuper(env: unknown, name: string, block: AnyNode, frame: AnyFrame, runtime: unknown, cb: Callback): void {
    const list = this.blocks[name] ?? [];
    const blk = list[list.indexOf(block) + 1];
    if (list.indexOf(block) === -1 || !blk) throw new TemplateError(`no super block available for "${name}"`);
    blk(env, this, frame, runtime, cb);
  }
  addExport(name: string): void {
    this.exported.push(name);
  }
  getExported(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of this.exported) out[name] = this.ctx[name];
    return out;
  }
}

export interface CompiledTemplate {
  root: (env: unknown, context: unknown, frame: unknown, runtime: unknown, cb: Callback) => void;
  blocks: Record<string, AnyNode>;
}

function describeNunjucksError(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  // nunjucks prefixes "(unknown path) [Line 1, Column 5]\n  ".
  return raw.replace(/^\([^)]*\)\s*(\[Line \d+, Column \d+\])?\s*/, (_m, where: string | undefined) => (where ? where.replace(/[[\]]/g, '') + ': ' : '')).trim();
}

const BaseEnvironment: new (...args: any[]) => any = nj.Environment;

export class AnsibleEnvironment extends BaseEnvironment {
  declare globals: Record<string, unknown>;
  declare tests: Record<string, unknown>;
  declare filters: Record<string, unknown>;
  declare opts: Record<string, unknown>;
  lexOptions: LexOptions = { trimBlocks: true, lstripBlocks: false };
  private readonly cache = new Map<string, CompiledTemplate>();
  /** Resolves `{% include %}` / `{% import %}` names to file content. */
  loadTemplateSource?: (name: string, parentName: string | undefined) => { src: string; path: string } | undefined;

  constructor() {
    super([], { autoescape: false, throwOnUndefined: false, trimBlocks: true, lstripBlocks: false });
  }

  getFilter(name: string): unknown {
    const f = this.filters[name];
    if (!f) throw new TemplateError(`No filter named '${name}'.`);
    return f;
  }

  /**
   * `tags`: other delimiters than {{ }} / {% %} / {# #} (nunjucks's names: variableStart...).
   * `escapeBackslashes`: a playbook value's string literals keep their backslashes.
   */
  parse(src: string, tags?: Record<string, string>, escapeBackslashes = false): AnyNode {
    const parser = new AnsibleParser(lexBalanced(src, { ...this.lexOptions, ...(tags ? { tags } : {}), escapeBackslashes }));
    return parser.parseAsRoot();
  }

  /** Parses a bare expression (a `when:` condition) without template delimiters. */
  parseExpression(src: string): AnyNode {
    // nunjucks's filter parser peeks at the token after a filter name and crashes at the
    // end of input (`x | bool`): parentheses guarantee a following token and change nothing.
    const tokens = lexBalanced(`(${src}\n)`, this.lexOptions);
    tokens.in_code = true;
    const parser = new AnsibleParser(tokens);
    const expr = parser.parseExpression();
    const rest = parser.nextToken();
    if (rest) parser.fail(`unexpected '${rest.value}'`, rest.lineno, rest.colno);
    return expr;
  }

  compileAst(ast: AnyNode, name: string, native: boolean): CompiledTemplate {
    const compiler = new AnsibleCompiler(name, false);
    compiler.nativeCapture = native;
    compiler.compile(ast);
    const props = new Function(compiler.getCode())();
    const blocks: Record<string, AnyNode> = {};
    for (const k of Object.keys(props)) if (k.startsWith('b_')) blocks[k.slice(2)] = props[k];
    return { root: props.root, blocks };
  }

  /** Runs a parse, turning nunjucks's syntax errors into Ansible's message. */
  checkedParse(src: string, build: () => AnyNode): AnyNode {
    try {
      return build();
    } catch (e) {
      throw new TemplateError(`template error while templating string: ${describeNunjucksError(e)}. String: ${src}`);
    }
  }

  /** Parses and compiles, memoized on the source text. */
  compiled(key: string, build: () => AnyNode, name: string, native: boolean, variant = ''): CompiledTemplate {
    const cacheKey = (native ? 'N' : 'S') + variant + ':' + key;
    let hit = this.cache.get(cacheKey);
    if (!hit) {
      hit = this.compileAst(this.checkedParse(key, build), name, native);
      if (this.cache.size > 5000) this.cache.clear();
      this.cache.set(cacheKey, hit);
    }
    return hit;
  }

  run(tmpl: CompiledTemplate, vars: Record<string, unknown>, parentFrame?: AnyFrame): { output: string; context: RenderContext } {
    // a top-level render counts its own unsafe reads (lookup terms are templated only without)
    return parentFrame ? this.runOnce(tmpl, vars, parentFrame) : asRender(() => this.runOnce(tmpl, vars));
  }

  private runOnce(tmpl: CompiledTemplate, vars: Record<string, unknown>, parentFrame?: AnyFrame): { output: string; context: RenderContext } {
    const context = new RenderContext(vars, tmpl.blocks, this);
    const frame = parentFrame ? parentFrame.push(true) : new Frame();
    frame.topLevel = true;
    let output = '';
    let failure: unknown;
    tmpl.root(this, context, frame, runtime, (err, res) => {
      if (err) failure ??= err;
      else output = res;
    });
    if (failure) {
      if (failure instanceof TemplateError) throw failure;
      throw new TemplateError(describeNunjucksError(failure));
    }
    return { output, context };
  }

  // Called by compiled {% include %}, {% import %}, {% extends %}.
  getTemplate(name: unknown, _eager: unknown, parentName: unknown, ignoreMissing: unknown, cb?: Callback): unknown {
    const found = this.loadTemplateSource?.(String(name), parentName ? String(parentName) : undefined);
    if (!found) {
      if (ignoreMissing) {
        const empty = new FileTemplate(this, this.compileAst(this.parse(''), '', false), '');
        if (cb) return cb(null, empty);
        return empty;
      }
      const err = new TemplateError(`template not found: ${String(name)}`);
      if (cb) return cb(err);
      throw err;
    }
    try {
      // Jinja drops one trailing newline of every template it loads (keep_trailing_newline
      // is off); only the top-level one gets it back, from Ansible's preserve_trailing_newlines
      const src = found.src.replace(/\r?\n$/, '');
      const tmpl = new FileTemplate(this, this.compiled(src, () => this.parse(src), found.path, false), found.path);
      if (cb) return cb(null, tmpl);
      return tmpl;
    } catch (e) {
      if (cb) return cb(e);
      throw e;
    }
  }
}

/** What compiled include/import/extends code expects back from getTemplate. */
class FileTemplate {
  readonly blocks: Record<string, AnyNode>;
  readonly rootRenderFunc: CompiledTemplate['root'];
  constructor(
    readonly env: AnsibleEnvironment,
    readonly compiledTemplate: CompiledTemplate,
    readonly path: string,
  ) {
    this.blocks = compiledTemplate.blocks;
    this.rootRenderFunc = (env, context, frame, _rt, cb) => compiledTemplate.root(env, context, frame, runtime, cb);
  }
  render(ctx: Record<string, unknown>, parentFrame: AnyFrame, cb: Callback): void {
    try {
      cb(null, this.env.run(this.compiledTemplate, ctx, parentFrame).output);
    } catch (e) {
      cb(e);
    }
  }
  getExported(ctx: unknown, parentFrame?: unknown, cb?: Callback): void {
    const callback = (typeof ctx === "function" ? ctx : typeof parentFrame === "function" ? parentFrame : cb) as unknown as Callback;
    const vars = typeof ctx === 'object' && ctx !== null ? (ctx as Record<string, unknown>) : {};
    const frame = typeof parentFrame === 'object' && parentFrame !== null ? parentFrame : undefined;
    try {
      const { context } = this.env.run(this.compiledTemplate, vars, frame);
      callback(null, context.getExported());
    } catch (e) {
      callback(e);
    }
  }
}

export { RenderContext };
