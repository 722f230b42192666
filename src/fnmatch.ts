// Python's fnmatch.translate, because Ansible matches with fnmatch wherever we must agree
// with it: host patterns (`web*`, `db[0-9]`) and setup's `filter`.

/** The glob as a regular expression anchored at both ends, case-sensitive. */
export function fnmatchRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) re += '\\[';
      else {
        // A `]` first in the set is a member (Python); JavaScript needs it escaped.
        let body = glob.slice(i + 1, j).replace(/\\/g, '\\\\').replace(/\]/g, '\\]');
        if (body[0] === '!') body = '^' + body.slice(1);
        else if (body[0] === '^') body = '\\' + body;
        re += `[${body}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's');
}
