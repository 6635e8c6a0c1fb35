import cliProgress from 'cli-progress';
import type { FleetProgress } from '../../agents/fleet/fleet-run.js';
import type { PlatformProgress } from '../../agents/fleet/share-stats.js';

/**
 * What a person watching a fleet sees. On a terminal: one live bar per platform and one for the
 * whole fleet (cli-progress, redrawn in place: enrolled, installed, replaced, blocked, waiting,
 * failed, the enrollment rate and an ETA). Otherwise (CI logs, pipes): a plain line every five
 * seconds, so a log stays readable.
 */

const FORMAT = '{name} {bar} {done}/{total} | enrolled {enrolled} | installed {installed} replaced {replaced} blocked {blocked} waiting {waiting} failed {failed} | {rate}/s | ETA {eta_formatted}';
const PLAIN_EVERY_MS = 5000;

export class ProgressDisplay {
  readonly #tty: boolean;
  readonly #out: NodeJS.WriteStream;
  readonly #startedAt = Date.now();
  #multi: cliProgress.MultiBar | undefined;
  readonly #bars = new Map<string, cliProgress.SingleBar>();
  #lastPlain = 0;
  readonly #rates = new Map<string, { at: number; enrolled: number }[]>();

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
    this.#tty = out.isTTY === true;
  }

  /** A line of its own (setup steps, notices), above the bars on a terminal. */
  say(text: string): void {
    if (this.#multi) this.#multi.log(`${text}\n`);
    else this.#out.write(`${text}\n`);
  }

  update(p: FleetProgress): void {
    if (!this.#tty) {
      if (Date.now() - this.#lastPlain >= PLAIN_EVERY_MS) {
        this.#lastPlain = Date.now();
        this.#out.write(`${plainLine(p, Date.now() - this.#startedAt)}\n`);
      }
      return;
    }
    this.#multi ??= new cliProgress.MultiBar({ format: FORMAT, stream: this.#out, hideCursor: true, clearOnComplete: false, barsize: 24, fps: 5, etaBuffer: 30 }, cliProgress.Presets.shades_classic);
    const rows: [string, PlatformProgress][] = p.platforms.map((x) => [x.platform, x]);
    if (p.platforms.length > 1) rows.push(['all', p.total]);
    const width = Math.max(...rows.map(([n]) => n.length));
    for (const [name, x] of rows) {
      const done = x.planned - x.outcomes.pending - x.enrolling;
      const payload = { name: name.padEnd(width), enrolled: x.enrolled, ...x.outcomes, failed: x.outcomes.failed + x.enrollFailed, done, rate: this.#rate(name, x.enrolled) };
      let bar = this.#bars.get(name);
      if (!bar) this.#bars.set(name, (bar = this.#multi.create(x.planned, done, payload)));
      else bar.update(done, payload);
    }
  }

  /** The last state, left on screen (terminal) or printed once more (plain). */
  finish(p: FleetProgress): void {
    if (this.#multi) {
      this.update(p);
      this.#multi.stop();
      this.#multi = undefined;
    } else {
      this.#out.write(`${plainLine(p, Date.now() - this.#startedAt)}\n`);
    }
  }

  /** Enrollments per second over the last ten seconds. */
  #rate(name: string, enrolled: number): string {
    const now = Date.now();
    const samples = this.#rates.get(name) ?? [];
    samples.push({ at: now, enrolled });
    while (samples.length > 2 && now - samples[0]!.at > 10_000) samples.shift();
    this.#rates.set(name, samples);
    const first = samples[0]!;
    const seconds = (now - first.at) / 1000;
    return seconds > 0 ? ((enrolled - first.enrolled) / seconds).toFixed(1) : '0.0';
  }
}

/** `12.0s  enrolled 812/1000 (23 in flight)  installed 700 …  | ios 400/500 …` */
export function plainLine(p: FleetProgress, elapsedMs: number): string {
  const t = p.total;
  const o = t.outcomes;
  const head =
    `${(elapsedMs / 1000).toFixed(1)}s  enrolled ${t.enrolled}/${t.planned}` +
    (t.enrolling ? ` (${t.enrolling} in flight)` : '') +
    `  installed ${o.installed}  replaced ${o.replaced}  blocked ${o.blocked}  waiting ${o.waiting}  failed ${o.failed}  enroll failures ${t.enrollFailed}`;
  if (p.platforms.length < 2) return head;
  return `${head}  | ${p.platforms.map((x) => `${x.platform} ${x.enrolled}/${x.planned} (${x.outcomes.installed + x.outcomes.replaced} with mail)`).join(', ')}`;
}
