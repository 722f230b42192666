// The HTML report in a real headless browser (Debian's chromium driven by playwright-core):
// it opens without network, shows the right counts, filters, and a diff expands on click.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderHtmlReport } from '../../src/output/report-html.js';
import { buildRunReport } from '../../src/output/report-json.js';
import { RunRecorder } from '../../src/output/run-record.js';
import { checkRunEvents, repoRoot } from '../unit/report-helpers.js';

const CHROMIUM = process.env.RACKPLAY_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const outDir = path.join(repoRoot, 'test/output');

describe.skipIf(!hasChromium)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    const rec = new RunRecorder();
    checkRunEvents().forEach((e) => rec.handle(e));
    const html = renderHtmlReport(buildRunReport(rec.finish(), { version: '0.0.0-test', commandLine: ['site.yml', '--check', '--diff'], exitCode: 2, detailedExitcode: true }));
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, 'report.html');
    writeFileSync(file, html);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads nothing but itself', () => {
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
  });

  it('shows the right counts: recap per host, statuses, tasks', async () => {
    const stat = (host: string, k: string) => page.locator(`[data-testid=recap] tr[data-host="${host}"] td[data-stat="${k}"]`).innerText();
    expect(await stat('web1', 'ok')).toBe('4');
    expect(await stat('web1', 'changed')).toBe('2');
    expect(await stat('db1', 'failed')).toBe('1');
    expect(await page.locator('[data-count=changed] b').innerText()).toBe('2');
    expect(await page.locator('[data-count=unknown] b').innerText()).toBe('2');
    expect(await page.locator('tr.task-row:visible').count()).toBe(5);
    expect(await page.locator('[data-testid=visible-count]').innerText()).toBe('5');
    // Status colors are real: a changed cell is painted differently from an ok one.
    const bg = (sel: string) => page.locator(sel).first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await bg('td.cell.s-changed')).not.toBe(await bg('td.cell.s-ok'));
  });

  it('expands a diff on click and folds it again', async () => {
    const cell = page.locator('td.has-diff').first();
    const row = page.locator(`#${await cell.getAttribute('data-diff')}`);
    expect(await row.isVisible()).toBe(false);
    await cell.click();
    expect(await row.isVisible()).toBe(true);
    expect(await row.innerText()).toContain('+listen = 8080');
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'report.png'), fullPage: true });
    await cell.click();
    expect(await row.isVisible()).toBe(false);
  });

  it('filters by role, tag and status', async () => {
    await page.selectOption('#filter-role', 'nginx');
    expect(await page.locator('tr.task-row:visible').count()).toBe(2);
    expect(await page.locator('[data-testid=visible-count]').innerText()).toBe('2');
    await page.selectOption('#filter-status', 'changed');
    expect(await page.locator('tr.task-row:visible th').innerText()).toContain('nginx : config');
    await page.selectOption('#filter-role', '');
    await page.selectOption('#filter-status', 'unknown');
    expect(await page.locator('tr.task-row:visible th').innerText()).toContain('reload');
    await page.selectOption('#filter-status', '');
    await page.selectOption('#filter-tag', 'setup');
    expect(await page.locator('tr.task-row:visible').count()).toBe(1);
    await page.selectOption('#filter-tag', '');
    expect(await page.locator('tr.task-row:visible').count()).toBe(5);
  });
});

describe.runIf(!hasChromium)('HTML report in headless Chromium', () => {
  it.skip(`needs Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`, () => {});
});
