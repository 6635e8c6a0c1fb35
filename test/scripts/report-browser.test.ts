import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCode, runCli, spawnCli } from '../helpers/cli.js';
import { chromiumPath } from '../helpers/tools.js';

/**
 * The HTML reports, and the demo's live page, as a person sees them: opened from disk in a real Chromium (Debian's, installed by
 * scripts/ci/install-tools.sh, driven by playwright-core) with the network cut off. The page must
 * work offline (it fetches nothing), run its script without an error, and draw every chart: a
 * canvas with pixels on it, not an empty box.
 */

let browser: Browser;
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'mdmlab-report-browser-'));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  /** Requests the page tried to make beyond its own file (all refused). */
  fetched: string[];
  /** Uncaught exceptions and console errors. */
  errors: string[];
}

/** Opens `file` (a path) or an http URL; only requests to that file, or that origin, go through. */
async function open(file: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const url = file.startsWith('http://') ? file : pathToFileURL(file).href;
  const allowed = (asked: string) => (url.startsWith('http://') ? new URL(asked).origin === new URL(url).origin : asked === url);
  const fetched: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    if (allowed(route.request().url())) return route.continue();
    fetched.push(route.request().url());
    return route.abort();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, fetched, errors };
}

/** Per canvas on the page: its size and how many of its pixels are painted. */
function paintedCanvases(page: Page): Promise<{ width: number; height: number; painted: number }[]> {
  // Runs in the page; typed by hand, as the project's TypeScript has no DOM library.
  type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
  return page.$$eval('canvas', (found) =>
    found.map((el) => {
      const c = el as unknown as Canvas;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return { width: c.width, height: c.height, painted };
    }),
  );
}

describe('report.html in a real browser', () => {
  it('a fleet report: offline, no script error, every chart drawn, every menu entry leads somewhere', async () => {
    const dir = tempDir();
    const run = await runCli(['fleet', '--count', '8', '--mix', 'ios=1,windows10=1,samsungKnox=1,androidForWork=1', '--profile', 'per-platform', '--manual-first', '50%', '--react-after', '100ms..300ms', '--app-after', '100ms..300ms', '--until-converged', '--seed', 'browser', '--report', dir]);
    expect(run.code, run.stderr).toBe(0);
    const { page, fetched, errors } = await open(join(dir, 'report.html'));
    try {
      expect(fetched).toEqual([]);
      expect(errors).toEqual([]);
      // The timeline and the two latency histograms.
      await page.waitForFunction("document.querySelectorAll('canvas').length >= 3");
      const canvases = await paintedCanvases(page);
      expect(canvases).toHaveLength(3);
      for (const c of canvases) {
        expect(c.width).toBeGreaterThan(300);
        expect(c.painted).toBeGreaterThan(1000);
      }
      // Every menu entry names a section of the page.
      const targets = await page.$$eval('nav a', (links) => links.map((a) => a.getAttribute('href')));
      expect(targets.length).toBeGreaterThan(4);
      for (const t of targets) expect(await page.locator(t!).count(), t!).toBe(1);
      await expect(page.locator('.badge').textContent()).resolves.toBe('PASS');
      // The outcome table: a row per platform and one for all, each with its bar.
      expect(await page.locator('#outcomes tbody tr').count()).toBe(5);
      expect(await page.locator('#outcomes .bar span').count()).toBeGreaterThanOrEqual(5);
      expect(await page.locator('#alerts').textContent()).toContain('duplicateAccount');
    } finally {
      await page.close();
    }
  }, 120_000);

  it('the demo report: four stories side by side, each device\'s mail store before and after', async () => {
    const dir = tempDir();
    const run = await runCli(['demo', '--report', dir]);
    expect(run.code, run.stderr).toBe(0);
    const { page, fetched, errors } = await open(join(dir, 'report.html'));
    try {
      expect(fetched).toEqual([]);
      expect(errors).toEqual([]);
      await expect(page.locator('.badge').textContent()).resolves.toBe('PASS');
      expect(await page.locator('.story').count()).toBe(4);
      // Side by side on a wide screen: the first two stories share a row.
      const [a, b] = await Promise.all([page.locator('.story').nth(0).boundingBox(), page.locator('.story').nth(1).boundingBox()]);
      expect(a!.y).toBe(b!.y);
      expect(b!.x).toBeGreaterThan(a!.x + a!.width - 1);
      const text = (await page.locator('main').textContent()) ?? '';
      for (const verdict of ['blocked until the user removed the account', "replaced the user's account", 'replaced, and replaced again', 'work profile only']) expect(text).toContain(verdict);
      // A managed account is marked as such in the store after.
      expect(await page.locator('.accounts li.managed').count()).toBeGreaterThanOrEqual(8);
    } finally {
      await page.close();
    }
  }, 120_000);

  it("demo --serve: the live page follows the four stories over its event stream and ends with the verdicts", async () => {
    const child = spawnCli(['demo', '--serve', '--report', tempDir()]);
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const seen = (d: Buffer) => {
        output += d.toString();
        const m = /live page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
        if (m) resolve(m[1]!);
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
      child.once('exit', () => reject(new Error(`demo --serve ended before naming its page:\n${output}`)));
    });
    const { page, fetched, errors } = await open(url);
    try {
      await page.getByText('Every story played as expected').waitFor({ timeout: 60_000 });
      expect(fetched).toEqual([]);
      expect(errors).toEqual([]);
      const text = (await page.locator('body').textContent()) ?? '';
      for (const platform of ['iOS', 'Windows 10', 'Samsung Knox', 'Android for Work']) expect(text).toContain(platform);
      for (const verdict of ['blocked until the user removed the account', "replaced the user's account", 'replaced, and replaced again', 'work profile only']) expect(text).toContain(verdict);
    } finally {
      await page.close();
      child.kill('SIGINT');
      await exitCode(child);
    }
  }, 120_000);
});
