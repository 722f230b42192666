// Python's text codecs by the names filters accept (b64encode/b64decode's encoding=):
// the ones Node can do byte for byte, under Python's spellings and aliases.
import { TemplateError } from './errors.js';

type NodeCodec = 'utf8' | 'utf16le' | 'latin1' | 'ascii';

/** Python normalizes a codec name: lower case, '-' and ' ' as '_'. */
function codecOf(name: string): { codec: NodeCodec; bom?: boolean; ascii?: boolean } {
  const n = name.toLowerCase().replace(/[- ]/g, '_');
  if (['utf_8', 'utf8', 'u8', 'utf'].includes(n)) return { codec: 'utf8' };
  if (['utf_16_le', 'utf_16le', 'utf16le'].includes(n)) return { codec: 'utf16le' };
  // Python's plain utf-16 writes a byte order mark (little-endian here) first.
  if (['utf_16', 'utf16', 'u16'].includes(n)) return { codec: 'utf16le', bom: true };
  if (['latin_1', 'latin1', 'latin', 'l1', 'iso_8859_1', 'iso8859_1', '8859', 'cp819'].includes(n)) return { codec: 'latin1' };
  if (['ascii', 'us_ascii', '646'].includes(n)) return { codec: 'ascii', ascii: true };
  throw new TemplateError(`unknown encoding: ${name}`);
}

export function encodeText(text: string, encoding: string): Buffer {
  const { codec, bom, ascii } = codecOf(encoding);
  if (ascii || codec === 'latin1') {
    const limit = ascii ? 0x7f : 0xff;
    const bad = Array.from(text).findIndex((ch) => ch.codePointAt(0)! > limit);
    if (bad >= 0) throw new TemplateError(`'${ascii ? 'ascii' : 'latin-1'}' codec can't encode character in position ${bad}: ordinal not in range(${limit + 1})`);
  }
  const body = Buffer.from(text, codec);
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}

export function decodeBytes(bytes: Buffer, encoding: string): string {
  const { codec, bom } = codecOf(encoding);
  if (bom && bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString(codec);
  return bytes.toString(codec);
}
