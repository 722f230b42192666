import { describe, expect, it } from 'vitest';
import { ShlexError, shlexSplit } from '../../src/shlex.js';

// Expected values recorded from CPython 3's shlex.split on the same inputs.
const table: Array<[string, string[]]> = [
  ['ls -l /tmp', ['ls', '-l', '/tmp']],
  ['  a   b  ', ['a', 'b']],
  ["echo 'hello world'", ['echo', 'hello world']],
  ['echo "a b" c', ['echo', 'a b', 'c']],
  ['a"b c"d', ['ab cd']],
  ["it\\'s", ["it's"]],
  ['echo "say \\"hi\\""', ['echo', 'say "hi"']],
  ['echo "back\\\\slash"', ['echo', 'back\\slash']],
  ['echo "keep\\$dollar"', ['echo', 'keep\\$dollar']],
  ["echo 'no \\escape'", ['echo', 'no \\escape']],
  ['a "" b', ['a', '', 'b']],
  ["x '' y", ['x', '', 'y']],
  ['one\\ word', ['one word']],
  ['semi;colon | pipe > out', ['semi;colon', '|', 'pipe', '>', 'out']],
  ['# not a comment', ['#', 'not', 'a', 'comment']],
  ['tab\tsep\nnewline', ['tab', 'sep', 'newline']],
  ['mixed"dq"\'sq\'plain', ['mixeddqsqplain']],
  ['$(touch /tmp/x)', ['$(touch', '/tmp/x)']],
  ['', []],
];

describe('shlexSplit', () => {
  it.each(table)('splits %j like Python', (input, expected) => {
    expect(shlexSplit(input)).toEqual(expected);
  });

  it.each([
    ['unclosed "quote', 'No closing quotation'],
    ["unclosed 'q", 'No closing quotation'],
    ['trailing\\', 'No escaped character'],
  ])('rejects %j with %s', (input, message) => {
    expect(() => shlexSplit(input)).toThrow(ShlexError);
    expect(() => shlexSplit(input)).toThrow(message);
  });
});
