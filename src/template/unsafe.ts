// Ansible's unsafe text (`!unsafe` in YAML): a string that is never templated, also after it
// went through a template into another variable. Only a string that looks like a template
// needs the mark, so only those are wrapped; everything else stays a plain string.
//
// The mark is a String object: concatenation, String(), JSON and the string methods work on
// it as on the text. Templates never see it: the runtime hands the plain text to the
// template's code and counts that it did, so a render that used unsafe text can mark its
// own result unsafe (as Ansible's AnsibleContext does with its `unsafe` flag).

const TEMPLATE_MARK = /\{\{|\{%|\{#/;

export class UnsafeText extends String {}

export function isUnsafe(v: unknown): v is UnsafeText {
  return v instanceof UnsafeText;
}

/** `text` marked unsafe, when it could be mistaken for a template. */
export function unsafeText(text: string): string | UnsafeText {
  return TEMPLATE_MARK.test(text) ? new UnsafeText(text) : text;
}

/** Every string in `value` (lists and dicts walked) marked unsafe: `!unsafe` on a collection. */
export function markUnsafe(value: unknown): unknown {
  if (typeof value === 'string') return unsafeText(value);
  if (Array.isArray(value)) return value.map(markUnsafe);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markUnsafe(v)]));
  }
  return value;
}

/** The same value with plain strings: what a module running on the host receives. */
export function plainText(value: unknown): unknown {
  if (value instanceof String) return value.valueOf();
  if (Array.isArray(value)) return value.map(plainText);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = plainText(v);
      if (out[k] !== v) changed = true;
    }
    return changed ? out : value;
  }
  return value;
}

let seen = 0;

/** How many unsafe strings templates have read so far (compare before and after a render). */
export function unsafeReads(): number {
  return seen;
}

let renderMark = -1;

/** Runs one render: unsafeReadInRender() then tells whether this render has read unsafe text yet. */
export function asRender<T>(fn: () => T): T {
  const saved = renderMark;
  renderMark = seen;
  try {
    return fn();
  } finally {
    renderMark = saved;
  }
}

/** Whether the current render read unsafe text so far (true outside any render: nothing is known). */
export function unsafeReadInRender(): boolean {
  return renderMark < 0 || seen !== renderMark;
}

/** What a template's code gets for a looked-up value: unsafe text as its plain text, counted. */
export function readUnsafe(v: unknown): unknown {
  if (v instanceof UnsafeText) {
    seen++;
    return v.valueOf();
  }
  return v;
}
