// Splits text the way Python's shlex.split does (POSIX mode), because Ansible does so
// wherever we must agree with it word for word: the command module's `_raw_params`,
// INI inventory host lines (with comments), ansible_ssh_*_args, the vault editor line.

export class ShlexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShlexError';
  }
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

/**
 * Split `text` into words like `shlex.split(text, comments=...)`. With comments, a `#`
 * outside quotes ends the word and the rest of the line. Throws ShlexError on bad quoting.
 */
export function shlexSplit(text: string, opts: { comments?: boolean } = {}): string[] {
  const words: string[] = [];
  let word = '';
  // A word can be empty yet present ("" or ''), so presence is tracked apart from text.
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (WHITESPACE.has(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new ShlexError('No escaped character');
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ShlexError('No closing quotation');
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\') {
          if (i + 1 >= text.length) throw new ShlexError('No escaped character');
          const next = text[i + 1];
          // Inside double quotes only \" and \\ are escapes; any other backslash stays.
          word += next === '"' || next === '\\' ? next : d + next;
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) throw new ShlexError('No closing quotation');
      inWord = true;
    } else if (c === '#' && opts.comments) {
      break;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
