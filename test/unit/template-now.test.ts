import { describe, expect, test } from 'vitest';
import { Templar } from '../../src/template/index.js';

const t = new Templar();

describe('now()', () => {
  test('returns a datetime that prints as Python prints one', () => {
    expect(t.render('{{ now() }}', {})).toMatchObject({ year: expect.any(Number) });
    expect(t.render('{{ now() | string }}', {})).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
    expect(t.evaluate('now().year >= 2024 and now(utc=true).month in range(1, 13)', {})).toBe(true);
  });

  test('fmt formats it, with %f and %s', () => {
    expect(t.render("{{ now(fmt='%Y') }}", {})).toMatch(/^\d{4}$/);
    expect(t.render("{{ now(true, '%Y-%m-%dT%H') }}", {})).toMatch(/^\d{4}-\d\d-\d\dT\d\d$/);
    const [s, f] = String(t.render("{{ now(fmt='%s.%f') }}", {})).split('.');
    expect(Math.abs(Number(s) - Date.now() / 1000)).toBeLessThan(3600 * 24);
    expect(f).toMatch(/^\d{6}$/);
    expect(t.evaluate("now(fmt='%s.%f') | float > 0", {})).toBe(true);
  });

  test('utc=True and the local clock differ by the time zone offset', () => {
    const utc = t.evaluate("now(utc=True).strftime('%s') | int", {}) as number;
    const local = t.evaluate("now().strftime('%s') | int", {}) as number;
    // %s reads the naive fields as local time, so only the local clock gives the real epoch
    expect(Math.abs(local - Date.now() / 1000)).toBeLessThan(60);
    expect(Math.abs(utc - local - new Date().getTimezoneOffset() * 60)).toBeLessThan(60);
  });
});
