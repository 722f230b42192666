// Python's `re.error` text for a pattern JS RegExp rejected. Playbooks assert on these
// words (lookup('varnames', '*') must say "nothing to repeat"), and JS words them
// differently, so the common syntax errors are found again here with Python's positions.

/** Python's message for the first syntax error in `pattern`, or undefined when none of the known ones. */
export function pythonRegexErrorText(pattern: string): string | undefined {
  const open: number[] = [];
  // whether the previous token can take a quantifier, and whether it already is one
  let repeatable = false;
  let repeated = false;
  let justQuantified = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const afterQuantifier = justQuantified;
    justQuantified = false;
    if (c === '\\') {
      i++;
      repeatable = true;
      repeated = false;
      continue;
    }
    if (c === '[') {
      const start = i;
      i++;
      if (pattern[i] === '^') i++;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      if (i >= pattern.length) return `unterminated character set at position ${start}`;
      repeatable = true;
      repeated = false;
      continue;
    }
    if (c === '(') {
      open.push(i);
      if (pattern[i + 1] === '?') {
        // (?P<name>, (?:, (?=, ...: skip the marker so its '?' is not read as a quantifier
        const m = /^\(\?(P<\w+>|P=\w+\)|[:=!>]|<[=!]|<\w+>|[aiLmsux-]+[:)])/.exec(pattern.slice(i));
        if (m) {
          if (m[0].endsWith(')')) open.pop();
          // a back reference (?P=n) can repeat; a group opening or inline flags (?i) cannot
          repeatable = m[0].startsWith('(?P=');
          repeated = false;
          i += m[0].length - 1;
          continue;
        }
      }
      repeatable = false;
      continue;
    }
    if (c === ')') {
      if (!open.length) return `unbalanced parenthesis at position ${i}`;
      open.pop();
      repeatable = true;
      repeated = false;
      continue;
    }
    if (c === '|') {
      repeatable = false;
      continue;
    }
    const brace = c === '{' ? /^\{(\d*)(,?)(\d*)\}/.exec(pattern.slice(i)) : null;
    const quantifier = c === '*' || c === '+' || c === '?' || (brace && (brace[1] || brace[3]));
    if (quantifier) {
      // a lazy '?' (or, since Python 3.11, a possessive '+') right after a quantifier is part of it
      if (afterQuantifier && (c === '?' || c === '+')) continue;
      if (repeated) return `multiple repeat at position ${i}`;
      if (!repeatable) return `nothing to repeat at position ${i}`;
      repeated = true;
      justQuantified = true;
      if (brace) i += brace[0].length - 1;
      continue;
    }
    repeatable = !(c === '^' || c === '$');
    repeated = false;
  }
  if (open.length) return `missing ), unterminated subpattern at position ${open[open.length - 1]}`;
  return undefined;
}
