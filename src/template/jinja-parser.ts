// The Jinja2 grammar nunjucks lacks: tests with FQCN names and bare arguments, Python
// subscripts and slices, dotted indexes, and `}` that closes a dict inside `{{ }}`.
/* eslint-disable @typescript-eslint/no-explicit-any -- nunjucks internals are untyped */
import { lexer, nj, nodes, type AnyNode } from './nunjucks-internals.js';

const BaseParser: new (...args: any[]) => any = nj.parser.Parser;

export interface LexOptions {
  trimBlocks: boolean;
  lstripBlocks: boolean;
  tags?: Record<string, string>;
  /**
   * Ansible's _escape_backslashes: for playbook values (not template files), string
   * literals inside `{{ }}` keep their backslashes, since YAML already unescaped them once.
   */
  escapeBackslashes?: boolean;
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };

/** Python's unicode-escape decoding, which Jinja2 applies to string literals; an unknown escape keeps its backslash. */
export function pyUnescape(raw: string): string {
  return raw.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])?/g, (whole, esc: string | undefined) => {
    if (esc === undefined) return whole;
    if (esc in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[esc];
    if (/^[xuU]/.test(esc) && esc.length > 1) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/^[0-7]+$/.test(esc)) return String.fromCodePoint(parseInt(esc, 8));
    return whole;
  });
}

export const Slice = nodes.Node.extend('Slice', { fields: ['start', 'stop', 'step'] });
export const RawTruth = nodes.Node.extend('RawTruth', { fields: ['target'] });
export const LoopFilter = nodes.Node.extend('LoopFilter', { fields: ['seq', 'cond', 'name'] });
/** `*args` / `**kwargs` in a call: spread into the positional arguments or the keywords. */
export const StarArgs = nodes.Node.extend('StarArgs', { fields: ['target'] });
export const StarKwargs = nodes.Node.extend('StarKwargs', { fields: ['target'] });

const TEST_ARG_STOP = new Set(['else', 'or', 'and', 'if', 'not', 'in', 'is']);
export const FQCN_PREFIX = /^ansible\.(builtin|legacy)\./;

/**
 * Jinja2 lets dicts nest inside `{{ }}` (`{{ x | combine({'a': {'b': 1}}) }}`): its
 * lexer counts braces, nunjucks's ends the tag at the first `}}`. This wraps one
 * tokenizer instance so a `}` that closes an open `{` is never taken as a tag end.
 */
export function lexBalanced(src: string, opts: LexOptions): AnyNode {
  const tokens = lexer.lex(src, opts);
  const next = tokens.nextToken.bind(tokens);
  let depth = 0;
  let inVariable = false;
  // Jinja2's string literal: a backslash escapes any character (the closing quote too);
  // the text is then decoded as Python does, or kept verbatim inside `{{ }}` when escaping.
  tokens._parseString = function (this: AnyNode, delimiter: string): string {
    this.forward();
    let raw = '';
    while (!this.isFinished() && this.current() !== delimiter) {
      if (this.current() === '\\') {
        raw += '\\';
        this.forward();
        if (this.isFinished()) break;
      }
      raw += this.current();
      this.forward();
    }
    this.forward();
    return opts.escapeBackslashes && inVariable ? raw : pyUnescape(raw);
  };
  tokens.nextToken = function (): AnyNode {
    if (tokens.in_code && depth > 0 && tokens.current() === '}') {
      const tok = { type: lexer.TOKEN_RIGHT_CURLY, value: '}', lineno: tokens.lineno, colno: tokens.colno };
      tokens.forward();
      depth--;
      return tok;
    }
    const tok = next();
    if (tok) {
      if (tok.type === lexer.TOKEN_VARIABLE_START) inVariable = true;
      else if (tok.type === lexer.TOKEN_VARIABLE_END || tok.type === lexer.TOKEN_BLOCK_START) inVariable = false;
      if (tok.type === lexer.TOKEN_LEFT_CURLY) depth++;
      else if (tok.type === lexer.TOKEN_RIGHT_CURLY) depth = Math.max(0, depth - 1);
      else if (tok.type === lexer.TOKEN_VARIABLE_END || tok.type === lexer.TOKEN_BLOCK_END) depth = 0;
    }
    return tok;
  };
  return tokens;
}

export class AnsibleParser extends BaseParser {
  // Jinja2's call signature: nunjucks's, plus `*seq` and `**dict` arguments.
  parseSignature(tolerant?: boolean, noParens?: boolean): AnyNode {
    let tok = this.peekToken();
    if (!noParens && tok.type !== lexer.TOKEN_LEFT_PAREN) {
      if (tolerant) return null;
      this.fail('expected arguments', tok.lineno, tok.colno);
    }
    if (tok.type === lexer.TOKEN_LEFT_PAREN) tok = this.nextToken();
    const args = new nodes.NodeList(tok.lineno, tok.colno);
    const kwargs = new nodes.KeywordArgs(tok.lineno, tok.colno);
    let first = true;
    for (;;) {
      tok = this.peekToken();
      if (!tok) this.fail('unexpected end of input in a call');
      if (!noParens && tok.type === lexer.TOKEN_RIGHT_PAREN) {
        this.nextToken();
        break;
      }
      if (noParens && tok.type === lexer.TOKEN_BLOCK_END) break;
      if (!first && !this.skip(lexer.TOKEN_COMMA)) this.fail('parseSignature: expected comma after expression', tok.lineno, tok.colno);
      first = false;
      // a trailing comma before `)`
      const after = this.peekToken();
      if (!noParens && after && after.type === lexer.TOKEN_RIGHT_PAREN) continue;
      if (this.skipValue(lexer.TOKEN_OPERATOR, '**')) {
        kwargs.addChild(new StarKwargs(tok.lineno, tok.colno, this.parseExpression()));
        continue;
      }
      if (this.skipValue(lexer.TOKEN_OPERATOR, '*')) {
        args.addChild(new StarArgs(tok.lineno, tok.colno, this.parseExpression()));
        continue;
      }
      const arg = this.parseExpression();
      if (this.skipValue(lexer.TOKEN_OPERATOR, '=')) kwargs.addChild(new nodes.Pair(arg.lineno, arg.colno, arg, this.parseExpression()));
      else args.addChild(arg);
    }
    if (kwargs.children.length) args.addChild(kwargs);
    return args;
  }

  // Jinja2 joins adjacent string literals, as Python does: '''a''' is '' 'a' '' → 'a'.
  parsePrimary(noPostfix?: boolean): AnyNode {
    const tok = this.peekToken();
    if (tok && tok.type === lexer.TOKEN_STRING) {
      this.nextToken();
      let value = tok.value as string;
      while (this.peekToken()?.type === lexer.TOKEN_STRING) value += this.nextToken().value;
      const node = new nodes.Literal(tok.lineno, tok.colno, value);
      return noPostfix ? node : this.parsePostfix(node);
    }
    return super.parsePrimary(noPostfix);
  }

  // `()` is Jinja2's empty tuple, a value (nunjucks would emit an empty JS group).
  parseAggregate(): AnyNode {
    const node = super.parseAggregate();
    if (node && node.typename === 'Group' && node.children.length === 0) return new nodes.Array(node.lineno, node.colno);
    return node;
  }

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
        // after a dot, Jinja reads true/none/null as plain names (`d.null`)
        if (val && (val.type === lexer.TOKEN_SYMBOL || val.type === lexer.TOKEN_NONE || val.type === lexer.TOKEN_BOOLEAN)) {
          node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, String(val.value)));
        } else if (val && (val.type === lexer.TOKEN_INT || val.type === lexer.TOKEN_FLOAT)) {
          const text = String(val.value);
          for (const part of text.split('.').filter((p) => p !== '')) {
            node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, parseInt(part, 10)));
          }
          // the lexer reads `x.0.name` as x . "0." name: the float's dot is the next lookup
          if (text.endsWith('.')) {
            const next = this.nextToken();
            if (next && next.type === lexer.TOKEN_SYMBOL) node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(next.lineno, next.colno, next.value));
            else this.fail('expected name as lookup value, got ' + (next ? next.value : 'end of input'), tok.lineno, tok.colno);
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
