import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../agents/report/report-model.js';
import { demoCommand } from '../../scripts/demo.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

/**
 * Issue 10 part 3, `mdmlab demo`: the four platforms' "enroll before you set up mail" stories,
 * played by the scenario runner against an embedded server; the verdicts, the report, the live
 * page (--serve) and the refusals of what it cannot run.
 */
const dir = mkdtempSync(join(tmpdir(), 'mdmlab-demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function capture(): { out: { stdout: (t: string) => void; stderr: (t: string) => void }; text: () => { stdout: string; stderr: string }; onStdout: (f: (all: string) => void) => void } {
  let stdout = '';
  let stderr = '';
  const listeners: ((all: string) => void)[] = [];
  return {
    out: {
      stdout: (t) => {
        stdout += t;
        for (const l of listeners) l(stdout);
      },
      stderr: (t) => (stderr += t),
    },
    text: () => ({ stdout, stderr }),
    onStdout: (f) => listeners.push(f),
  };
}

/** Resolves with the first match of `re` in what the command printed so far. */
function printed(c: ReturnType<typeof capture>, re: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve) => {
    const check = (all: string) => {
      const m = all.match(re);
      if (m) resolve(m);
    };
    check(c.text().stdout);
    c.onStdout(check);
  });
}

describe('mdmlab demo', () => {
  it('tells the four stories, prints the verdicts, writes the report and exits 0', async () => {
    const out = join(dir, 'run');
    const c = capture();
    const code = await demoCommand(['--report', out], c.out);
    const { stdout, stderr } = c.text();
    expect(code, stdout + stderr).toBe(0);
    // A header per platform, a line per step, the mail stores as they change.
    for (const header of ['━━ iOS ', '━━ Windows 10 ', '━━ Samsung Knox ', '━━ Android for Work ']) expect(stdout).toContain(header);
    expect(stdout).toMatch(/✓ alice-iphone: nonCompliant, corp blocked, alerts duplicateAccount/);
    expect(stdout).toMatch(/alice-iphone \[manual-first\] +alice@contoso\.com \(user\)/);
    expect(stdout).toMatch(/alice-laptop \[manual-first\] +alice@contoso\.com \(managed, replaced the user's\)/);
    expect(stdout).toMatch(/alice-pixel \[manual-first\] +personal: alice@contoso\.com \(user\) {2}work: alice@contoso\.com \(managed\)/);
    expect(stdout).not.toContain('✗');
    // The verdict table.
    const table = stdout.slice(stdout.indexOf('┌'));
    expect(table).toMatch(/│ platform +│ enroll-first +│ manual-first +│ verdict +│/);
    expect(table).toMatch(/│ ✓ iOS +│ installed +│ blocked → removed her account → installed +│ blocked until the user removed the account +│/);
    expect(table).toMatch(/│ ✓ Windows 10 +│ installed +│ installed, replaced the user's account +│ replaced the user's account +│/);
    expect(table).toMatch(/│ ✓ Samsung Knox +│ installed +│ replaced; set up again → replaced again +│ replaced, and replaced again at the next sync +│/);
    expect(table).toMatch(/│ ✓ Android for Work +│ waited for Gmail → installed +│ personal untouched; waited for Gmail → installed +│ work profile only, waits for the app +│/);
    expect(stdout).toContain(`report: ${join(out, 'report.html')}`);

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report).toMatchObject({ schema: 'mdmlab-report', kind: 'demo', run: { exitCode: 0, interrupted: false, endReason: 'every story played as expected' } });
    expect(report.scenarios!.map((s) => [s.platform, s.ok, s.verdict])).toEqual([
      ['ios', true, 'blocked until the user removed the account'],
      ['windows10', true, "replaced the user's account"],
      ['samsungKnox', true, 'replaced, and replaced again at the next sync'],
      ['androidForWork', true, 'work profile only, waits for the app'],
    ]);
    expect(report.scenarios![0]!.cases).toEqual([
      { name: 'enroll-first', outcome: 'installed' },
      { name: 'manual-first', outcome: 'blocked → removed her account → installed' },
    ]);
    const knox = report.scenarios!.find((s) => s.platform === 'samsungKnox')!;
    expect(knox.devices.find((d) => d.id === 'alice-galaxy')).toMatchObject({
      before: [{ email: 'alice@contoso.com', managed: false }],
      after: [{ email: 'alice@contoso.com', managed: true, profile: 'corp', replacedUserAccount: true }],
    });
    const afw = report.scenarios!.find((s) => s.platform === 'androidForWork')!;
    expect(afw.devices.find((d) => d.id === 'alice-pixel')!.after).toEqual([
      expect.objectContaining({ email: 'alice@contoso.com', managed: false, androidProfile: 'personal' }),
      expect.objectContaining({ email: 'alice@contoso.com', managed: true, androidProfile: 'work' }),
    ]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<span class="badge pass">PASS</span>');
    for (const v of ['blocked until the user removed the account', 'replaced, and replaced again at the next sync', 'work profile only, waits for the app']) expect(html).toContain(v);
    expect(html).toContain('alice-galaxy');
    expect(html).toContain('<th>manual-first</th>');
    expect(html).toContain('alice-iphone: nonCompliant, corp blocked, alerts duplicateAccount, mail store as expected');
    expect(html).not.toMatch(/<script[^>]+src=/);
  }, 180_000);

  it('--serve: a live page on 127.0.0.1 whose event stream carries the steps, then the report; stays up until Ctrl-C', async () => {
    const out = join(dir, 'served');
    const c = capture();
    const ctrlC = new AbortController();
    const running = demoCommand(['--serve', '--report', out, '--json'], c.out, ctrlC.signal);
    cleanups.push(async () => {
      ctrlC.abort();
      await running;
    });
    const [, url] = await printed(c, /live page: (http:\/\/127\.0\.0\.1:\d+\/)/);
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain("new EventSource('/events')");
    expect(body).not.toMatch(/<script[^>]+src=/);

    // The stream: `data: {json}` events, from the beginning for a late browser.
    const stream = await fetch(`${url}events`);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.getReader();
    const events: { type: string; [k: string]: unknown }[] = [];
    let buffer = '';
    while (!events.some((e) => e.type === 'end')) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const chunk = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        expect(chunk).toMatch(/^data: /);
        events.push(JSON.parse(chunk.slice('data: '.length)) as { type: string });
      }
    }
    await reader.cancel();
    expect(events[0]).toMatchObject({ type: 'begin', server: 'an embedded server' });
    expect(events.filter((e) => e.type === 'step').length).toBeGreaterThan(20);
    expect(events).toContainEqual(expect.objectContaining({ type: 'step', platform: 'ios', ok: true, summary: 'alice-iphone: nonCompliant, corp blocked, alerts duplicateAccount, mail store as expected' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'store', platform: 'samsungKnox', device: 'alice-galaxy', role: 'manual-first' }));
    expect(events.filter((e) => e.type === 'verdict').map((e) => [e.platform, e.ok])).toEqual([
      ['ios', true],
      ['windows10', true],
      ['samsungKnox', true],
      ['androidForWork', true],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'end', ok: true, exitCode: 0 });

    // The page links the report once written, and the process is still up.
    await printed(c, /"exitCode": 0/);
    const report = await fetch(`${url}report.html`);
    expect(report.status).toBe(200);
    expect(await report.text()).toContain('mdmlab demo: enroll before you set up mail');
    expect((await fetch(`${url}nothing`)).status).toBe(404);
    expect((await fetch(url!, { method: 'POST', body: 'x' })).status).toBe(405);

    ctrlC.abort();
    expect(await running).toBe(0);
    await expect(fetch(url!)).rejects.toThrow();
  }, 180_000);
});

describe('mdmlab demo stopped by Ctrl-C', () => {
  it('stops after the step under way, writes the report so far, says it was interrupted and exits 1', async () => {
    const out = join(dir, 'interrupted');
    const c = capture();
    const ctrlC = new AbortController();
    c.onStdout((all) => {
      if (all.includes('✓ bob-iphone enrolled')) ctrlC.abort();
    });
    const code = await demoCommand(['--report', out], c.out, ctrlC.signal);
    const { stdout } = c.text();
    expect(code, stdout).toBe(1);
    expect(stdout).toContain('✗ interrupted: 3 platform(s) did not play');
    expect(stdout).not.toContain('━━ Windows 10');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.run).toMatchObject({ interrupted: true, exitCode: 1, endReason: 'interrupted' });
    expect(report.scenarios).toHaveLength(1);
    expect(report.scenarios![0]).toMatchObject({ platform: 'ios', ok: false, interrupted: true, verdict: 'interrupted' });
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('This run was interrupted');
  }, 120_000);
});

describe('mdmlab demo refuses what it cannot run, in one line', () => {
  function oneLine(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/^mdmlab demo: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(pattern);
  }

  it('an unknown flag, a stray argument, flags that need another', async () => {
    // The default report folder goes where the command runs (the CLI runs in the repository root).
    const reportFolders = () => readdirSync(repoRoot).filter((f) => f.startsWith('mdmlab-demo-')).length;
    const before = reportFolders();
    // Through the real CLI once (what a shell sees); the other refusals in-process, where they are decided.
    oneLine(await runCli(['demo', '--colour']), /Unknown option '--colour'/);
    const inProcess = async (args: string[]) => {
      const c = capture();
      const code = await demoCommand(args, c.out, new AbortController().signal);
      return { code, ...c.text() };
    };
    oneLine(await inProcess(['now']), /Unexpected argument 'now'/);
    oneLine(await inProcess(['--token', 'x']), /--token is the admin token of a --server/);
    oneLine(await inProcess(['--port', '80']), /--port .* add --serve/);
    oneLine(await inProcess(['--serve', '--port', 'eighty']), /--port 'eighty' is not a port number/);
    oneLine(await inProcess(['--server', 'ftp://x']), /is not an http:\/\/ or https:\/\/ URL/);
    expect(reportFolders()).toBe(before);
  }, 120_000);

  it('an unreachable --server, a wrong token, a --server without a token', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop());
    const [unreachable, wrongToken, noToken] = await Promise.all([
      runCli(['demo', '--server', 'http://127.0.0.1:9', '--token', 't']),
      runCli(['demo', '--server', server.url, '--token', 'wrong-token']),
      runCli(['demo', '--server', server.url], { MDMLAB_ADMIN_TOKEN: '' }),
    ]);
    oneLine(unreachable, /cannot reach http:\/\/127\.0\.0\.1:9/);
    oneLine(wrongToken, /the server refused the admin token \(401/);
    oneLine(noToken, /--server needs the admin token/);
  }, 120_000);
});
