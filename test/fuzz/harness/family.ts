import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/cli.js';
import { changesOutside, DatabaseWatch } from './db-fingerprint.js';
import type { HttpAnswer } from './raw-http.js';
import { startFuzzServer, type FuzzServer } from './server-process.js';
import { leaksIn } from './verdict.js';

/** What became of one input. */
export interface Outcome {
  /** Everything sent (request bytes, frames): what an answer may echo, and what a failure report shows. */
  sent: Buffer;
  /** The HTTP answers read (none when the server closed without one). */
  answers: readonly HttpAnswer[];
  /** All other bytes the server sent (the raw response, WebSocket messages, close reasons): checked for leaks. */
  received?: Buffer;
  /** The server neither answered nor closed the connection in time. */
  timedOut?: boolean;
  /**
   * The server took the input, so it may have written; default: an answer with a 2xx or 3xx status.
   * An input without any answer is not judged either way (the server may have finished it or not).
   */
  accepted?: boolean;
  /**
   * Tables a refusal may still write: what the protocol records about a refused input for the
   * administrator (an enrollmentConflict alert). Every other table must stay as it was.
   */
  mayWrite?: readonly string[];
  /** What the family's own rules found wrong (an error not in the protocol's form, …). */
  problems?: readonly string[];
}

/** A family of endpoints under fuzzing: how to make inputs, and how to send one. */
export interface FuzzFamily<Input> {
  inputs: fc.Arbitrary<Input>;
  send(input: Input): Promise<Outcome>;
  /** Inputs per default run (before MDMLAB_FUZZ_RUNS); sized to keep the family around a few seconds. */
  runs: number;
  /**
   * Before an input: what a real client would do between requests (a device that left management
   * registers again), taken as the new baseline of the database: not judged as the input's doing.
   */
  prepare?(input: Input): Promise<void>;
  /** After the batch: what a well-behaved client must still get (besides /healthz); problems found. */
  stillServes?(): Promise<string[]>;
  /**
   * A 5xx that is the protocol's own refusal, not a failure of the server: SOAP 1.2 sends its
   * faults with HTTP 500 (SOAP 1.2 Part 2 §7.5.1.2; MS-MDE2 §2.2.10). The family's own rules still
   * judge its form; without this, every 5xx is a failure.
   */
  protocolFault?(answer: HttpAnswer): boolean;
  /** Releases what setup holds (sockets, keys); the server itself is stopped by the harness. */
  close?(): Promise<void>;
}

/**
 * Settings from the environment (test/fuzz/README.md): MDMLAB_FUZZ_RUNS inputs per family,
 * MDMLAB_FUZZ_SEED (a number, or `random`), MDMLAB_FUZZ_PATH to replay one failing input,
 * MDMLAB_FUZZ_SECONDS to run each family for a time instead of a number of inputs, and
 * MDMLAB_FUZZ_REPORT, a file each family appends its figures to (the long run's), and
 * MDMLAB_FUZZ_TRACE, a file every input and its answer are appended to.
 */
export interface FuzzConfig {
  runs?: number;
  seed: number;
  path?: string;
  seconds?: number;
  report?: string;
  /** A file every input is written to, one line each with its answer (to see what a batch reaches). */
  trace?: string;
}

/** The default run is the same inputs every time, so a red CI is a regression anyone can replay. */
export const DEFAULT_SEED = 20260611;

export function fuzzConfig(env: NodeJS.ProcessEnv = process.env): FuzzConfig {
  const num = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not ${v}`);
    return n;
  };
  const seedText = env.MDMLAB_FUZZ_SEED;
  const seed = seedText === 'random' ? Math.floor(Math.random() * 2 ** 31) : seedText ? Number(seedText) : DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new Error(`MDMLAB_FUZZ_SEED must be an integer or "random", not ${seedText}`);
  const runs = num('MDMLAB_FUZZ_RUNS');
  const seconds = num('MDMLAB_FUZZ_SECONDS');
  return {
    seed,
    ...(runs ? { runs: Math.floor(runs) } : {}),
    ...(seconds ? { seconds } : {}),
    ...(env.MDMLAB_FUZZ_PATH ? { path: env.MDMLAB_FUZZ_PATH } : {}),
    ...(env.MDMLAB_FUZZ_REPORT ? { report: env.MDMLAB_FUZZ_REPORT } : {}),
    ...(env.MDMLAB_FUZZ_TRACE ? { trace: env.MDMLAB_FUZZ_TRACE } : {}),
  };
}

/**
 * Declares the fuzz test of one family: a server process of its own, the family's setup against
 * it, then one property over the family's inputs. Every input must leave the process up, get no
 * 5xx, show no stack trace, path or internal error text, and, when refused, leave the database as
 * it was; after the batch /healthz must answer and the log must hold no error line.
 */
export function fuzzFamily<Input>(name: string, setup: (server: FuzzServer) => Promise<FuzzFamily<Input>>): void {
  const config = fuzzConfig();
  const timeout = config.seconds ? config.seconds * 1000 + 120_000 : 180_000;
  describe(`fuzz: ${name}`, () => {
    let server: FuzzServer | undefined;
    beforeAll(async () => {
      server = await startFuzzServer();
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    }, 60_000);

    it('stays up, answers no 5xx, leaks nothing, and a refused input changes nothing', async () => {
      const family = await setup(server!);
      try {
        await runFamily(name, server!, family, config, relative(repoRoot, expect.getState().testPath ?? ''));
      } finally {
        await family.close?.();
      }
    }, timeout);
  });
}

async function runFamily<Input>(name: string, server: FuzzServer, family: FuzzFamily<Input>, config: FuzzConfig, file: string): Promise<void> {
  const db = new DatabaseWatch(server.dataDir);
  const secrets = [server.dataDir, server.adminToken];
  let inputs = 0;
  /** What the inputs got, by status ('none': the connection closed without an answer): shows what the batch reached. */
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const property = fc.asyncProperty(family.inputs, async (input) => {
    inputs++;
    if (family.prepare) {
      await family.prepare(input);
      db.changedSinceBaseline({ rebase: true });
    }
    const outcome = await family.send(input);
    for (const key of outcome.answers.length ? outcome.answers.map((a) => String(a.status)) : ['none']) statuses[key] = (statuses[key] ?? 0) + 1;
    if (config.trace) {
      const answered = outcome.answers.map((a) => `${a.status} ${preview(a.status === 101 ? (outcome.received ?? a.body).subarray(-160) : a.body, 160)}`).join(' | ');
      appendFileSync(config.trace, `${name}\t${answered || 'none'}\t${preview(outcome.sent, 200)}\n`);
    }
    const problems = [...(outcome.problems ?? [])];
    if (outcome.timedOut) problems.push('the server neither answered nor closed the connection in time');
    for (const a of outcome.answers) if (a.status >= 500 && !family.protocolFault?.(a)) problems.push(`answered ${a.status}`);
    for (const bytes of [outcome.received ?? Buffer.alloc(0), ...outcome.answers.map((a) => a.body)]) {
      for (const leak of leaksIn(bytes, outcome.sent, secrets)) problems.push(`the answer shows ${leak}`);
    }
    const judgement = writeJudgement(outcome);
    if (judgement === 'unjudged') {
      // The server may have finished the request or not, as with any client that goes away: not
      // judged; its writes, if any, are let land first.
      await server.healthy();
      db.changedSinceBaseline({ rebase: true });
    } else {
      const accepted = judgement === 'accepted';
      const changed = db.changedSinceBaseline({ rebase: accepted || outcome.mayWrite !== undefined });
      const unexpected = changesOutside(changed, outcome.mayWrite ?? []);
      if (!accepted && unexpected.length > 0) problems.push(`refused, yet the database changed:\n  ${unexpected.join('\n  ')}`);
    }
    const exit = server.exited();
    if (exit) problems.push(`the server process ${exit}`);
    problems.push(...server.takeLogProblems());
    if (problems.length > 0) throw new Error(`${[...new Set(problems)].join('\n')}\n${describeExchange(outcome)}`);
  });
  const numRuns = config.runs ?? (config.seconds ? Number.MAX_SAFE_INTEGER : family.runs);
  const details = await fc.check(property, {
    seed: config.seed,
    numRuns,
    endOnFailure: true, // the server is stateful: shrinking would replay inputs against a server they already changed
    ...(config.path ? { path: config.path } : {}),
    ...(config.seconds ? { interruptAfterTimeLimit: config.seconds * 1000 } : {}),
  });
  const ms = performance.now() - started;
  // What the inputs may have broken without an answer showing it: the process, its event loop, its log.
  const after: string[] = [];
  if (!(await server.healthy())) after.push('GET /healthz does not answer 200 after the batch');
  else if (family.stillServes) after.push(...(await family.stillServes()));
  await new Promise((r) => setTimeout(r, 50)); // let the last log lines arrive
  const exit = server.exited();
  if (exit) after.push(`the server process ${exit}`);
  after.push(...server.takeLogProblems());
  db.close();

  const failure = details.failed
    ? `input ${details.numRuns} failed (seed ${details.seed}, path "${details.counterexamplePath}"):\n${errorText(details.errorInstance)}\n` +
      `replay that input: MDMLAB_FUZZ_SEED=${details.seed} MDMLAB_FUZZ_PATH=${details.counterexamplePath} npx vitest run ${file}\n` +
      `replay the run up to it (when earlier inputs matter): MDMLAB_FUZZ_SEED=${details.seed} MDMLAB_FUZZ_RUNS=${details.numRuns} npx vitest run ${file}`
    : after.length > 0
      ? `after ${inputs} inputs (seed ${details.seed}): ${after.join('; ')}\nreplay: MDMLAB_FUZZ_SEED=${details.seed} MDMLAB_FUZZ_RUNS=${inputs} npx vitest run ${file}`
      : undefined;
  if (config.report) {
    appendFileSync(config.report, `${JSON.stringify({ family: name, file, seed: details.seed, inputs, ms: Math.round(ms), statuses, ...(failure ? { failure } : {}) })}\n`);
  }
  if (failure) throw new Error(`fuzz ${name}: ${failure}`);
}

/**
 * Whether an input may have written, from what it was answered:
 * - `unjudged`: no answer (the connection closed first), or an answer of Node's HTTP parser to bytes
 *   it could not read as a request (a bare `400` with `Connection: close`, no Content-Type, no body).
 *   The parser answers at once and closes, so when the bytes held a complete request before the
 *   unreadable rest (a `Content-Length: 0` followed by a body: two requests, the second not one),
 *   the first one's handler may run and write while its answer is lost with the connection.
 * - `accepted`: the family says so, or else a 2xx/3xx answer to a method that is not safe
 *   (RFC 9110 §9.2.1: HEAD, OPTIONS, TRACE never change anything, whatever they are answered).
 * - `refused`: anything else; the database must not change (outside the family's `mayWrite`).
 */
export function writeJudgement(outcome: Pick<Outcome, 'sent' | 'answers' | 'accepted'>): 'unjudged' | 'accepted' | 'refused' {
  if (outcome.answers.length === 0 || outcome.answers.some(fromHttpParser)) return 'unjudged';
  const safe = /^(?:HEAD|OPTIONS|TRACE) /.test(outcome.sent.subarray(0, 8).toString('latin1'));
  if (safe) return 'refused';
  return (outcome.accepted ?? outcome.answers.some((a) => a.status >= 200 && a.status < 400)) ? 'accepted' : 'refused';
}

/** Node's own answer to bytes its HTTP parser refused (http.Server 'clientError' default): no handler of ours saw them. */
export function fromHttpParser(a: HttpAnswer): boolean {
  return a.status === 400 && a.body.length === 0 && !a.headers.has('content-type') && (a.headers.get('connection') ?? []).some((v) => /close/i.test(v));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What was sent and answered, shortened for a failure message (the input itself replays with seed and path). */
export function describeExchange(o: Outcome): string {
  const answers = o.answers.map((a) => `${a.status} ${preview(a.body, 300)}`).join(' | ');
  return `sent (${o.sent.length} bytes): ${preview(o.sent, 600)}\nanswered: ${answers || '(nothing)'}`;
}

export function preview(b: Buffer, max: number): string {
  const text = JSON.stringify(b.subarray(0, max).toString('latin1'));
  return b.length > max ? `${text}… (+${b.length - max} bytes)` : text;
}
