// The Jinja2 dialect Ansible speaks, built from nunjucks's lexer and code generator.
// nunjucks is close to Jinja2 but evaluates with JS semantics; here a Parser and
// Compiler subclass route every operator, attribute access, truth test and output
// through our own runtime (Python semantics + StrictUndefined). Nothing in the
// nunjucks module is patched: the subclasses and runtime object are private to this
// file, so other nunjucks users in the process are unaffected.
import nunjucks from 'nunjucks';
import { TemplateError } from './errors.js';
import { memberLookup } from './methods.js';
import { binOp, compareOp, isDict, pyIn, pySlice, pyStr, truthy } from './python.js';
import { Undefined, assertFullyDefined, missingVariable } from './undefined.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- nunjucks internals are untyped */
type AnyNode = any;
type AnyFrame = any;
type Callback = (err: unknown, res?: any) => void;

const nj = nunjucks as any;
const nodes = nj.nodes;
const lexer = nj.lexer;
const BaseParser: new (...args: any[]) => any = nj.parser.Parser;
const BaseCompiler: new (...args: any[]) => any = nj.compiler.Compiler;
const baseRuntime = nj.runtime;
const Frame = baseRuntime.Frame;

export interface LexOptions {
  trimBlocks: boolean;
  lstripBlocks: boolean;
}

const Slice = nodes.Node.extend('Slice', { fields: ['start', 'stop', 'step'] });
const RawTruth = nodes.Node.extend('RawTruth', { fields: ['target'] });
const LoopFilter = nodes.Node.extend('LoopFilter', { fields: ['seq', 'cond', 'name'] });

const TEST_ARG_STOP = new Set(['else', 'or', 'and', 'if', 'not', 'in', 'is']);
const FQCN_PREFIX = /^ansible\.(builtin|legacy)\./;

/**
 * Jinja2 lets dicts nest inside `{{ }}` (`{{ x | combine({'a': {'b': 1}}) }}`): its
 * lexer counts braces, nunjucks's ends the tag at the first `}}`. This wraps one
 * tokenizer instance so a `}` that closes an open `{` is never taken as a tag end.
 */
function lexBalanced(src: string, opts: LexOptions): AnyNode {
  const tokens = lexer.lex(src, opts);
  const next = tokens.nextToken.bind(tokens);
  let depth = 0;
  tokens.nextToken = function (): AnyNode {
    if (tokens.in_code && depth > 0 && tokens.current() === '}') {
      const tok = { type: lexer.TOKEN_RIGHT_CURLY, value: '}', lineno: tokens.lineno, colno: tokens.colno };
      tokens.forward();
      depth--;
      return tok;
    }
    const tok = next();
    if (tok) {
      if (tok.type === lexer.TOKEN_LEFT_CURLY) depth++;
      else if (tok.type === lexer.TOKEN_RIGHT_CURLY) depth = Math.max(0, depth - 1);
      else if (tok.type === lexer.TOKEN_VARIABLE_END || tok.type === lexer.TOKEN_BLOCK_END) depth = 0;
    }
    return tok;
  };
  return tokens;
}

class AnsibleParser extends BaseParser {
  // Jinja2 test syntax: `x is name`, `x is name(args)`, `x is name arg`, FQCN names.
  parseIs(): AnyNode {
    let node = this.parseCompare();
    if (!this.skipSymbol('is')) return node;
    const not = this.skipSymbol('not');
    const tok = this.nextToken();
    let name: string;
    if (tok && tok.type === lexer.TOKEN_SYMBOL) {
      name = tok.value;
      while (this.skipValue(lexer.TOKEN_OPERATOR, '.')) name += '.' + this.expect(lexer.TOKEN_SYMBOL).value;
    } else if (tok && (tok.type === lexer.TOKEN_NONE || tok.type === lexer.TOKEN_BOOLEAN)) {
      name = String(tok.value);
    } else {
      this.fail('expected a test name after "is"', tok ? tok.lineno : undefined, tok ? tok.colno : undefined);
    }
    const nameNode = new nodes.Symbol(tok.lineno, tok.colno, name!.replace(FQCN_PREFIX, ''));
    let right: AnyNode = nameNode;
    const peek = this.peekToken();
    if (peek && peek.type === lexer.TOKEN_LEFT_PAREN) {
      right = new nodes.FunCall(peek.lineno, peek.colno, nameNode, this.parseSignature());
    } else if (
      peek &&
      ([lexer.TOKEN_STRING, lexer.TOKEN_INT, lexer.TOKEN_FLOAT, lexer.TOKEN_BOOLEAN, lexer.TOKEN_NONE, lexer.TOKEN_LEFT_BRACKET, lexer.TOKEN_LEFT_CURLY].includes(peek.type) ||
        (peek.type === lexer.TOKEN_SYMBOL && !TEST_ARG_STOP.has(peek.value)))
    ) {
      const argNode = this.parsePrimary();
      right = new nodes.FunCall(peek.lineno, peek.colno, nameNode, new nodes.NodeList(peek.lineno, peek.colno, [argNode]));
    }
    node = new nodes.Is(node.lineno, node.colno, node, right);
    return not ? new nodes.Not(node.lineno, node.colno, node) : node;
  }


  // Jinja2 subscripts: x[1], x[-1], x[1:], x[::2]; dotted indexes: x.0
  parsePostfix(node: AnyNode): AnyNode {
    let tok = this.peekToken();
    while (tok) {
      if (tok.type === lexer.TOKEN_LEFT_PAREN) {
        node = new nodes.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
      } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
        this.nextToken();
        node = this.parseSubscript(node, tok);
      } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
        this.nextToken();
        const val = this.nextToken();
        if (val && val.type === lexer.TOKEN_SYMBOL) {
          node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, val.value));
        } else if (val && (val.type === lexer.TOKEN_INT || val.type === lexer.TOKEN_FLOAT)) {
          for (const part of String(val.value).split('.')) {
            node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, parseInt(part, 10)));
          }
        } else {
          this.fail('expected name as lookup value, got ' + (val ? val.value : 'end of input'), tok.lineno, tok.colno);
        }
      } else {
        break;
      }
      tok = this.peekToken();
    }
    return node;
  }

  parseSubscript(target: AnyNode, tok: AnyNode): AnyNode {
    const parts: AnyNode[] = [null, null, null];
    let idx = 0;
    let isSlice = false;
    for (;;) {
      if (this.skip(lexer.TOKEN_RIGHT_BRACKET)) break;
      if (this.skip(lexer.TOKEN_COLON)) {
        isSlice = true;
        idx++;
        if (idx > 2) this.fail('too many slice components', tok.lineno, tok.colno);
        continue;
      }
      if (parts[idx] !== null) this.fail("expected ']'", tok.lineno, tok.colno);
      parts[idx] = this.parseExpression();
    }
    if (!isSlice) {
      if (parts[0] === null) this.fail('expected an index inside []', tok.lineno, tok.colno);
      return new nodes.LookupVal(tok.lineno, tok.colno, target, parts[0]);
    }
    const slice = new Slice(tok.lineno, tok.colno, parts[0], parts[1], parts[2]);
    return new nodes.LookupVal(tok.lineno, tok.colno, target, slice);
  }
}

const CONSTANTS: Record<string, string> = { True: 'true', False: 'false', None: 'null', true: 'true', false: 'false', none: 'null' };

class AnsibleCompiler extends BaseCompiler {
  /** When set, the single output expression is stored on the context instead of printed. */
  declare nativeCapture: boolean;

  assertType(node: AnyNode, ...types: unknown[]): void {
    if (node instanceof Slice || node instanceof RawTruth || node instanceof LoopFilter) return;
    super.assertType(node, ...types);
  }

  compileSymbol(node: AnyNode, frame: AnyFrame): void {
    const name = node.value;
    if (!frame.lookup(name) && name in CONSTANTS) {
      this._emit(CONSTANTS[name]);
      return;
    }
    super.compileSymbol(node, frame);
  }

  // `(a, b)` is a tuple in Jinja2 (a list here), not JS's comma operator.
  compileGroup(node: AnyNode, frame: AnyFrame): void {
    if (node.children.length > 1) this._compileAggregate(node, frame, '[', ']');
    else this._compileAggregate(node, frame, '(', ')');
  }

  _truth(node: AnyNode, frame: AnyFrame): void {
    this._emit('runtime.rpTruthy(');
    this.compile(node, frame);
    this._emit(')');
  }

  compileIf(node: AnyNode, frame: AnyFrame, async?: boolean): void {
    const cond = node.cond;
    node.cond = new RawTruth(cond.lineno, cond.colno, cond);
    try {
      super.compileIf(node, frame, async);
    } finally {
      node.cond = cond;
    }
  }

  compileRawTruth(node: AnyNode, frame: AnyFrame): void {
    this._truth(node.target, frame);
  }

  compileInlineIf(node: AnyNode, frame: AnyFrame): void {
    this._emit('(');
    this._truth(node.cond, frame);
    this._emit('?');
    this.compile(node.body, frame);
    this._emit(':');
    if (node.else_ !== null) this.compile(node.else_, frame);
    // Jinja2: `a if cond` without else yields Undefined.
    else this._emit('runtime.rpMissing("inline if expression")');
    this._emit(')');
  }

  // Python's `and`/`or` return an operand, decided by Python truthiness.
  compileOr(node: AnyNode, frame: AnyFrame): void {
    this._emit('((l) => runtime.rpTruthy(l) ? l : (');
    this.compile(node.right, frame);
    this._emit('))(');
    this.compile(node.left, frame);
    this._emit(')');
  }

  compileAnd(node: AnyNode, frame: AnyFrame): void {
    this._emit('((l) => !runtime.rpTruthy(l) ? l : (');
    this.compile(node.right, frame);
    this._emit('))(');
    this.compile(node.left, frame);
    this._emit(')');
  }

  compileNot(node: AnyNode, frame: AnyFrame): void {
    this._emit('!');
    this._truth(node.target, frame);
  }

  compileIn(node: AnyNode, frame: AnyFrame): void {
    this._emit('runtime.rpIn(');
    this.compile(node.left, frame);
    this._emit(',');
    this.compile(node.right, frame);
    this._emit(')');
  }

  compileIs(node: AnyNode, frame: AnyFrame): void {
    const right = node.right;
    let name: string;
    let args: AnyNode = null;
    if (right instanceof nodes.FunCall) {
      name = right.name.value;
      args = right.args;
    } else if (right instanceof nodes.Literal) {
      name = right.value === null ? 'none' : String(right.value);
    } else {
      name = right.value;
    }
    this._emit(`runtime.rpTest(env, context, ${JSON.stringify(String(name))}, `);
    this.compile(node.left, frame);
    if (args && args.children.length) {
      this._emit(',');
      this._compileAggregate(args, frame, '', '');
    }
    this._emit(')');
  }

  _binOp(op: string, node: AnyNode, frame: AnyFrame): void {
    this._emit(`runtime.rpBin(${JSON.stringify(op)}, `);
    this.compile(node.left, frame);
    this._emit(', ');
    this.compile(node.right, frame);
    this._emit(')');
  }

  compileAdd(node: AnyNode, frame: AnyFrame): void {
    this._binOp('+', node, frame);
  }
  compileConcat(node: AnyNode, frame: AnyFrame): void {
    this._binOp('~', node, frame);
  }
  compileSub(node: AnyNode, frame: AnyFrame): void {
    this._binOp('-', node, frame);
  }
  compileMul(node: AnyNode, frame: AnyFrame): void {
    this._binOp('*', node, frame);
  }
  compileDiv(node: AnyNode, frame: AnyFrame): void {
    this._binOp('/', node, frame);
  }
  compileFloorDiv(node: AnyNode, frame: AnyFrame): void {
    this._binOp('//', node, frame);
  }
  compileMod(node: AnyNode, frame: AnyFrame): void {
    this._binOp('%', node, frame);
  }
  compilePow(node: AnyNode, frame: AnyFrame): void {
    this._binOp('**', node, frame);
  }
  compileNeg(node: AnyNode, frame: AnyFrame): void {
    this._emit('runtime.rpBin("-", 0, ');
    this.compile(node.target, frame);
    this._emit(')');
  }
  compilePos(node: AnyNode, frame: AnyFrame): void {
    this._emit('runtime.rpBin("+", 0, ');
    this.compile(node.target, frame);
    this._emit(')');
  }

  compileCompare(node: AnyNode, frame: AnyFrame): void {
    // Python chains comparisons: a < b < c means a < b and b < c.
    this._emit('runtime.rpCompare([');
    this.compile(node.expr, frame);
    for (const op of node.ops) {
      this._emit(',');
      this.compile(op.expr, frame);
    }
    this._emit('], ' + JSON.stringify(node.ops.map((o: AnyNode) => o.type)) + ')');
  }

  compileLookupVal(node: AnyNode, frame: AnyFrame): void {
    if (node.val instanceof Slice) {
      const s = node.val;
      this._emit('runtime.rpSlice((');
      this._compileExpression(node.target, frame);
      for (const part of [s.start, s.stop, s.step]) {
        this._emit('),(');
        if (part) this._compileExpression(part, frame);
        else this._emit('null');
      }
      this._emit('))');
      return;
    }
    super.compileLookupVal(node, frame);
  }

  compileFor(node: AnyNode, frame: AnyFrame): void {
    // `{% for x in seq if cond %}` parses as an else-less inline if; Jinja2 means a filter.
    const arr = node.arr;
    if (arr instanceof nodes.InlineIf && arr.else_ === null) {
      node.arr = new LoopFilter(arr.lineno, arr.colno, arr.body, arr.cond, node.name);
      try {
        super.compileFor(node, frame);
      } finally {
        node.arr = arr;
      }
      return;
    }
    super.compileFor(node, frame);
  }

  compileLoopFilter(node: AnyNode, frame: AnyFrame): void {
    const names: string[] = node.name instanceof nodes.Array ? node.name.children.map((c: AnyNode) => c.value) : [node.name.value];
    this._emit('runtime.rpLoopFilter(frame, ');
    this.compile(node.seq, frame);
    this._emit(`, ${JSON.stringify(names)}, (frame) => runtime.rpTruthy(`);
    this.compile(node.cond, frame);
    this._emit('))');
  }

  compileFilter(node: AnyNode, frame: AnyFrame): void {
    const name = String(node.name.value).replace(FQCN_PREFIX, '');
    this._emit(`env.getFilter(${JSON.stringify(name)}).call(context, `);
    this._compileAggregate(node.args, frame);
    this._emit(')');
  }

  compileOutput(node: AnyNode, frame: AnyFrame): void {
    for (const child of node.children) {
      if (child instanceof nodes.TemplateData) {
        if (child.value) {
          this._emit(this.buffer + ' += ');
          this.compileLiteral(child);
          this._emitLine(';');
        }
      } else if (this.nativeCapture) {
        this._emit('context.rpResult = (');
        this.compile(child, frame);
        this._emitLine(');');
      } else {
        this._emit(this.buffer + ' += runtime.rpOut(');
        this.compile(child, frame);
        this._emitLine(');');
      }
    }
  }
}


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

export type TestFn = (this: unknown, value: unknown, ...args: unknown[]) => unknown;

/** Tests that must see an Undefined instead of failing on it. */
export const UNDEFINED_AWARE_TESTS = new Set(['defined', 'undefined']);

function makeRuntime(): Record<string, unknown> {
  const rt = Object.create(baseRuntime);
  Object.assign(rt, {
    contextOrFrameLookup(context: RenderContext, frame: AnyFrame, name: string): unknown {
      const fv = frame.lookup(name);
      if (fv !== undefined) return fv;
      const v = context.lookup(name);
      return v === undefined ? missingVariable(name) : v;
    },
    memberLookup,
    callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
      if (fn instanceof Undefined) throw fn.error();
      if (typeof fn !== 'function') throw new TemplateError(`'${name}' is not callable`);
      return fn.apply(context, args);
    },
    handleError(error: unknown, lineno: number, colno: number): unknown {
      if (error instanceof TemplateError) return error;
      const msg = error instanceof Error ? error.message : String(error);
      const err = new TemplateError(msg);
      (err as { lineno?: number }).lineno = lineno;
      (err as { colno?: number }).colno = colno;
      return err;
    },
    fromIterator(arr: unknown): unknown {
      if (arr instanceof Undefined) throw arr.error();
      // Jinja2 iterates a dict's keys.
      if (isDict(arr)) return Object.keys(arr);
      return baseRuntime.fromIterator(arr);
    },
    rpTruthy: truthy,
    rpOut(v: unknown): string {
      if (v instanceof Undefined) throw v.error();
      // Ansible's finalize prints None as ''.
      if (v === null || v === undefined) return '';
      assertFullyDefined(v);
      return pyStr(v);
    },
    rpMissing(what: string): Undefined {
      return new Undefined(what, `the ${what} evaluated to false and no else section was defined`);
    },
    rpIn: pyIn,
    rpBin: binOp,
    rpSlice: pySlice,
    rpCompare(values: unknown[], ops: string[]): boolean {
      for (let i = 0; i < ops.length; i++) if (!compareOp(ops[i], values[i], values[i + 1])) return false;
      return true;
    },
    rpTest(env: AnsibleEnvironment, context: unknown, name: string, value: unknown, ...args: unknown[]): boolean {
      const test = env.tests[name] as TestFn | undefined;
      if (!test) throw new TemplateError(`no test named '${name}'`);
      if (value instanceof Undefined && !UNDEFINED_AWARE_TESTS.has(name)) throw value.error();
      return truthy(test.call(context, value, ...args));
    },
    rpLoopFilter(frame: AnyFrame, seq: unknown, names: string[], cond: (f: AnyFrame) => boolean): unknown[] {
      const items = rt.fromIterator(seq) as unknown;
      const list = typeof items === 'string' ? Array.from(items) : (items as unknown[]);
      const inner = frame.push();
      return list.filter((item) => {
        if (names.length === 1) inner.set(names[0], item);
        else names.forEach((n, i) => inner.set(n, (item as unknown[])[i]));
        return cond(inner);
      });
    },
  });
  return rt;
}

const runtime = makeRuntime();

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

  parse(src: string): AnyNode {
    const parser = new AnsibleParser(lexBalanced(src, this.lexOptions));
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
  compiled(key: string, build: () => AnyNode, name: string, native: boolean): CompiledTemplate {
    const cacheKey = (native ? 'N' : 'S') + key;
    let hit = this.cache.get(cacheKey);
    if (!hit) {
      hit = this.compileAst(this.checkedParse(key, build), name, native);
      if (this.cache.size > 5000) this.cache.clear();
      this.cache.set(cacheKey, hit);
    }
    return hit;
  }

  run(tmpl: CompiledTemplate, vars: Record<string, unknown>, parentFrame?: AnyFrame): { output: string; context: RenderContext } {
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
      const tmpl = new FileTemplate(this, this.compiled(found.src, () => this.parse(found.src), found.path, false), found.path);
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
