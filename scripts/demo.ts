import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AdminClient } from '../agents/admin/admin-client.js';
import { checkAdminToken, probeServer } from '../agents/fleet/server-probe.js';
import { FleetInputError } from '../agents/fleet/input-error.js';
import type { ScenarioSection } from '../agents/report/report-model.js';
import { startEmbeddedServer } from './fleet/embedded-server.js';
import type { DemoEvent } from './demo/demo-events.js';
import { startLivePage, type LivePage } from './demo/live-page.js';
import { playStory, type StoryTarget } from './demo/play-story.js';
import { DEMO_STORIES } from './demo/stories.js';
import { terminalLines, verdictTable } from './demo/terminal.js';
import { storiesReport } from './report/scenario-report.js';
import { writeReport } from './report/write-report.js';
import { watchInterrupts, type CommandOutput } from './scenario.js';

const HELP = `usage: mdmlab demo [--report DIR] [--serve [--port N]] [--server URL --token T [--ca CA.pem]] [--json]

"Enroll before you set up mail", four platforms side by side. For iOS, Windows 10, Samsung Knox
and Android for Work, two users: one who set up mail by hand and then enrolled (manual-first),
one who enrolled first. Each story is a scenario file (scenarios/demo/) played by the scenario
runner against an embedded server (or --server, whose admin token is --token or
MDMLAB_ADMIN_TOKEN; the demo cleans up after itself there). It prints each step and each mail
store as they change, then a verdict per platform, and writes report.json and a self-contained
report.html to --report DIR (default ./mdmlab-demo-<time>/, named at the end).
--serve also opens a page on 127.0.0.1 (port printed; --port to choose it) that follows the
demo live and links the report at the end; the process then stays up until Ctrl-C.
--json prints one JSON object at the end instead of the story.
Exit codes: 0 every story played as expected, 1 one did not (or Ctrl-C stopped the demo),
2 the demo cannot run (a bad flag, a server that does not answer or refuses the token).
`;

const PROCESS_OUTPUT: CommandOutput = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** Why the demo cannot start: one line, exit 2. */
class DemoInputError extends Error {}

/**
 * `mdmlab demo …`: returns the exit code. `signal` stands for Ctrl-C (tests): it stops the
 * stories after the step under way, or, once they have played, ends `--serve`.
 */
export async function demoCommand(argv: string[], out: CommandOutput = PROCESS_OUTPUT, signal?: AbortSignal): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        report: { type: 'string' },
        serve: { type: 'boolean' },
        port: { type: 'string' },
        server: { type: 'string' },
        token: { type: 'string' },
        ca: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    out.stderr(`mdmlab demo: ${(err as Error).message.split('\n')[0]} (mdmlab demo --help)\n`);
    return 2;
  }
  if (values.help) {
    out.stdout(HELP);
    return 0;
  }
  const json = values.json ?? false;
  let playing = true;
  const interrupts = signal
    ? undefined
    : watchInterrupts(process, {
        first: () => out.stderr(playing ? '\n… stopping after the step under way (the report says so); Ctrl-C again exits at once\n' : '\n… closing the live page\n'),
        again: (_n, code) => process.exit(code),
      });
  const abort = signal ?? interrupts!.signal;
  let closeServer: (() => Promise<void>) | undefined;
  let live: LivePage | undefined;
  try {
    const options = checkFlags(values);
    const { target, where, close } = await connect(options);
    closeServer = close;
    if (options.serve) {
      live = await startLivePage(options.port);
      out.stdout(`live page: ${live.url}  (open it in a browser; it follows the demo as it plays)\n`);
    }
    const emit = (e: DemoEvent) => {
      if (!json) out.stdout(terminalLines(e));
      live?.publish(e);
    };
    const startedAt = Date.now();
    emit({ type: 'begin', server: where, stories: DEMO_STORIES.map((s) => ({ platform: s.platform, label: s.label })) });
    const sections: ScenarioSection[] = [];
    const verdicts: Extract<DemoEvent, { type: 'verdict' }>[] = [];
    for (const story of DEMO_STORIES) {
      if (abort.aborted) break;
      const played = await playStory(story, target, emit, abort);
      sections.push(played.section);
      verdicts.push(played.verdict);
    }
    playing = false;
    await closeServer?.();
    closeServer = undefined;
    const interrupted = abort.aborted;
    const ok = !interrupted && verdicts.length === DEMO_STORIES.length && verdicts.every((v) => v.ok);
    const exitCode = ok ? 0 : 1;
    const dir = options.report ?? `mdmlab-demo-${new Date(startedAt).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
    const report = storiesReport('demo', 'mdmlab demo: enroll before you set up mail, four platforms', sections, {
      startedAt,
      endedAt: Date.now(),
      exitCode,
      interrupted,
      endReason: interrupted ? 'interrupted' : ok ? 'every story played as expected' : 'a story did not play as expected',
      parameters: { server: where, stories: DEMO_STORIES.map((s) => s.file) },
    });
    const written = writeReport(dir, report);
    live?.setReport(written.html);
    emit({ type: 'end', ok, exitCode, interrupted, report: written.html });
    if (json) out.stdout(`${JSON.stringify({ ok, exitCode, interrupted, verdicts: verdicts.map(({ type: _t, ...v }) => v), report: written }, null, 2)}\n`);
    else {
      out.stdout(`\n${verdictTable(verdicts)}`);
      if (interrupted) out.stdout(`✗ interrupted: ${DEMO_STORIES.length - verdicts.length} platform(s) did not play\n`);
      out.stdout(`report: ${join(dir, 'report.html')}\n`);
    }
    if (live && !interrupted) {
      out.stdout(`live page: ${live.url} (the report: ${live.url}report.html); Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => (abort.aborted ? resolve() : abort.addEventListener('abort', () => resolve(), { once: true })));
    }
    return exitCode;
  } catch (err) {
    if (!(err instanceof DemoInputError || err instanceof FleetInputError)) throw err;
    out.stderr(`mdmlab demo: ${err.message}\n`);
    return 2;
  } finally {
    await live?.close();
    await closeServer?.();
    interrupts?.dispose();
  }
}

interface DemoOptions {
  report?: string;
  serve: boolean;
  port: number;
  server?: string;
  token?: string;
  caPem?: string;
}

function checkFlags(v: { report?: string; serve?: boolean; port?: string; server?: string; token?: string; ca?: string }): DemoOptions {
  if (v.port !== undefined && !v.serve) throw new DemoInputError('--port is the live page\'s port: add --serve');
  const port = v.port === undefined ? 0 : Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DemoInputError(`--port '${v.port}' is not a port number (0-65535)`);
  if (v.token && !v.server) throw new DemoInputError('--token is the admin token of a --server; without --server the demo runs its own');
  if (v.ca && !v.server) throw new DemoInputError('--ca is the CA certificate of a --server; without --server the demo runs its own');
  if (v.server && !/^https?:\/\/[^/\s]+/i.test(v.server)) throw new DemoInputError(`--server '${v.server}' is not an http:// or https:// URL`);
  let caPem: string | undefined;
  if (v.ca) {
    try {
      caPem = readFileSync(v.ca, 'utf8');
    } catch (err) {
      throw new DemoInputError(`--ca: cannot read ${v.ca} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return { serve: v.serve ?? false, port, ...(v.report ? { report: v.report } : {}), ...(v.server ? { server: v.server.replace(/\/+$/, '') } : {}), ...(v.token ? { token: v.token } : {}), ...(caPem ? { caPem } : {}) };
}

/** The embedded server, or the given one once it answers as mdmlab and takes the token. */
async function connect(o: DemoOptions): Promise<{ target: StoryTarget; where: string; close?: () => Promise<void> }> {
  if (!o.server) {
    const embedded = await startEmbeddedServer();
    return { target: { serverUrl: embedded.url, adminToken: embedded.token }, where: 'an embedded server', close: embedded.stop };
  }
  const kind = await probeServer(o.server, o.caPem);
  if (kind.kind === 'other') throw new DemoInputError(`${o.server} is not an mdmlab server (${kind.why})`);
  const token = o.token ?? process.env.MDMLAB_ADMIN_TOKEN;
  if (!token) throw new DemoInputError('--server needs the admin token (--token or MDMLAB_ADMIN_TOKEN)');
  await checkAdminToken(new AdminClient(o.server, token, o.caPem));
  return { target: { serverUrl: o.server, adminToken: token, ...(o.caPem ? { caPem: o.caPem } : {}) }, where: o.server };
}
