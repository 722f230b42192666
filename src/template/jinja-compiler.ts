// Code generation with Python semantics: every operator, truth test, `is` test, filter
// call and output goes through the runtime in jinja-runtime.ts instead of plain JS.
/* eslint-disable @typescript-eslint/no-explicit-any -- nunjucks internals are untyped */
import { nj, nodes, type AnyFrame, type AnyNode } from './nunjucks-internals.js';
import { FQCN_PREFIX, LoopFilter, RawTruth, Slice, StarArgs, StarKwargs } from './jinja-parser.js';

const BaseCompiler: new (...args: any[]) => any = nj.compiler.Compiler;

const CONSTANTS: Record<string, string> = { True: 'true', False: 'false', None: 'null', true: 'true', false: 'false', none: 'null' };

export class AnsibleCompiler extends BaseCompiler {
  /** When set, the single output expression is stored on the context instead of printed. */
  declare nativeCapture: boolean;

  assertType(node: AnyNode, ...types: unknown[]): void {
    if (node instanceof Slice || node instanceof RawTruth || node instanceof LoopFilter || node instanceof StarArgs || node instanceof StarKwargs) return;
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

  // inside a call's argument list / keyword object: JS spread does what Python's does
  compileStarArgs(node: AnyNode, frame: AnyFrame): void {
    this._emit('...runtime.rpStarArgs(');
    this.compile(node.target, frame);
    this._emit(')');
  }

  compileStarKwargs(node: AnyNode, frame: AnyFrame): void {
    this._emit('...runtime.rpStarKwargs(');
    this.compile(node.target, frame);
    this._emit(')');
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
