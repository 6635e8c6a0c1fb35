import { POLL_PARMS, type PollSchedule } from '../../protocol/windows/provisioning/index.js';
import type { SeededRandom } from '../random/seeded-random.js';
import type { DmTree } from './dm-tree/index.js';

/**
 * When a Windows device opens a session on its own: the DMClient Poll schedule its enrollment
 * provisioned (DMClient CSP, Provider/{ProviderID}/Poll): NumberOfFirstRetries sessions every
 * IntervalForFirstSetOfRetries minutes, then NumberOfSecondRetries every
 * IntervalForSecondSetOfRetries, then every IntervalForRemainingScheduledRetries
 * (NumberOfRemainingScheduledRetries times; 0 = for ever). Per the CSP page, 0 first retries also
 * means for ever, and an interval of 0 disables its set. Defaults when the document leaves a value
 * out: 15 minutes × 10, then nothing.
 *
 * `delayBefore(n)` is the wait before the n-th scheduled session (from 0), undefined when the
 * schedule has no more.
 */
export function delayBefore(schedule: Partial<PollSchedule>, n: number): number | undefined {
  const MINUTE = 60_000;
  const first = { every: schedule.intervalForFirstSetOfRetries ?? 15, times: schedule.numberOfFirstRetries ?? 10 };
  const second = { every: schedule.intervalForSecondSetOfRetries ?? 0, times: schedule.numberOfSecondRetries ?? 0 };
  const remaining = { every: schedule.intervalForRemainingScheduledRetries ?? 0, times: schedule.numberOfRemainingScheduledRetries ?? 0 };
  let k = n;
  if (first.every > 0) {
    if (first.times === 0 || k < first.times) return first.every * MINUTE;
    k -= first.times;
  }
  if (second.every > 0 && second.times > 0) {
    if (k < second.times) return second.every * MINUTE;
    k -= second.times;
  }
  if (remaining.every > 0 && (remaining.times === 0 || k < remaining.times)) return remaining.every * MINUTE;
  return undefined;
}

export interface PollTimerDeps {
  /** The provisioned schedule (read when the next session is planned: the server may Replace it). */
  schedule(): Partial<PollSchedule> | undefined;
  /** Scheduled sessions so far (kept across restarts), and its increment. */
  done(): number;
  advance(): void;
  /** A fixed interval instead of the schedule (tests, fleets); 0 = no unprompted sessions. */
  overrideMs: number | undefined;
  random: SeededRandom;
  fire(): void;
}

/** The timer of the scheduled sessions (±10 % jitter, so a fleet does not poll at one instant). */
export class DmClientPollTimer {
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: PollTimerDeps) {}

  start(): void {
    this.stop();
    const d = this.deps;
    const delay = d.overrideMs !== undefined ? d.overrideMs || undefined : delayBefore(d.schedule() ?? {}, d.done());
    if (delay === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (d.overrideMs === undefined) d.advance();
      d.fire();
      this.start();
    }, d.random.jitter(delay, 0.1));
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** The schedule as the tree holds it now (Provider/{ProviderID}/Poll: the server may have replaced it). */
export function pollScheduleIn(tree: DmTree, providerUri: string): Partial<PollSchedule> {
  const schedule: Partial<PollSchedule> = {};
  for (const [field, leaf] of POLL_PARMS) {
    const v = tree.value(`${providerUri}/Poll/${leaf}`)?.trim();
    if (v === undefined) continue;
    if (/^\d{1,10}$/.test(v)) (schedule as Record<string, number | boolean>)[field] = Number(v);
    else if (v === 'true' || v === 'false') (schedule as Record<string, number | boolean>)[field] = v === 'true';
  }
  return schedule;
}
