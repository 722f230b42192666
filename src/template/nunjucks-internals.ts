// nunjucks's untyped internals (lexer, nodes, parser, compiler, runtime) in one place,
// so the parser, compiler, runtime and environment modules share one typed-as-any handle.
import nunjucks from 'nunjucks';

/* eslint-disable @typescript-eslint/no-explicit-any -- nunjucks internals are untyped */
export type AnyNode = any;
export type AnyFrame = any;
export type Callback = (err: unknown, res?: any) => void;

export const nj = nunjucks as any;
export const nodes = nj.nodes;
export const lexer = nj.lexer;
