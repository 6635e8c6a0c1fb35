import { parseDuration } from '../scenario/duration.js';
import { DEVICE_PLATFORMS, type DevicePlatform } from '../../protocol/admin/platforms.js';
import { OUTCOMES, type ExpectationResult, type Outcome, type PlatformReport } from '../report/report-model.js';
import { FleetInputError } from './input-error.js';

/**
 * `--expect` thresholds, so a CI job reads the fleet's exit code (0 every expectation met, 1 not):
 *
 *   [PLATFORM:]METRIC OP VALUE
 *
 * - METRIC: an outcome (`installed`, `replaced`, `blocked`, `waiting`, `failed`, `pending`) or a sum
 *   of them (`installed+replaced`), `enrolled`, `enrollFailed`, `errors`; or a latency
 *   `enroll.p50|p95|p99|max`, `converge.p50|p95|p99|max`.
 * - OP: `>=`, `<=`, `>`, `<`, `==` (or `=`).
 * - VALUE: a count, a share of the devices in scope (`99%`), or for latencies a duration (`1500ms`,
 *   `2s`; a bare number is ms).
 *
 * Examples: `installed+replaced>=99%`, `ios:blocked==0`, `failed<=1%`, `enroll.p95<=3s`.
 */

type CountMetric = { kind: 'count'; parts: (Outcome | 'enrolled' | 'enrollFailed' | 'errors')[] };
type LatencyMetric = { kind: 'latency'; of: 'enroll' | 'converge'; at: 'p50' | 'p95' | 'p99' | 'max' };

export interface Expectation {
  text: string;
  platform?: DevicePlatform;
  metric: CountMetric | LatencyMetric;
  op: '>=' | '<=' | '>' | '<' | '==';
  value: number;
  /** The value is a share of the devices in scope (0–100). */
  percent: boolean;
}

const COUNT_WORDS = [...OUTCOMES, 'enrolled', 'enrollFailed', 'errors'] as const;
const SYNTAX = "expected [PLATFORM:]METRIC OP VALUE, e.g. 'installed>=99%', 'ios:blocked==0', 'enroll.p95<=3s'";

export function parseExpectation(text: string): Expectation {
  const m = /^\s*(?:([A-Za-z0-9]+)\s*:)?\s*([A-Za-z0-9.+]+)\s*(>=|<=|==|=|>|<)\s*(\S+)\s*$/.exec(text);
  if (!m) throw new FleetInputError(`--expect '${text}': ${SYNTAX}`);
  const [, platformText, metricText, opText, valueText] = m as unknown as [string, string | undefined, string, string, string];
  if (platformText !== undefined && !(DEVICE_PLATFORMS as readonly string[]).includes(platformText)) {
    throw new FleetInputError(`--expect '${text}': unknown platform '${platformText}' (platforms: ${DEVICE_PLATFORMS.join(', ')})`);
  }
  const op = (opText === '=' ? '==' : opText) as Expectation['op'];
  const base = { text: text.trim(), ...(platformText ? { platform: platformText as DevicePlatform } : {}), op };
  const latency = /^(enroll|converge)\.(p50|p95|p99|max)$/.exec(metricText);
  if (latency) {
    const ms = /^\d+(\.\d+)?$/.test(valueText) ? Number(valueText) : parseDuration(valueText);
    if (ms === undefined) throw new FleetInputError(`--expect '${text}': ${metricText} needs a duration such as 1500ms or 2s`);
    return { ...base, metric: { kind: 'latency', of: latency[1] as LatencyMetric['of'], at: latency[2] as LatencyMetric['at'] }, value: ms, percent: false };
  }
  const parts = metricText.split('+');
  for (const p of parts) {
    if (!(COUNT_WORDS as readonly string[]).includes(p)) {
      throw new FleetInputError(`--expect '${text}': unknown metric '${p}' (${COUNT_WORDS.join(', ')}, a sum such as installed+replaced, or enroll.p95 / converge.p99 …)`);
    }
  }
  const v = /^(\d+(?:\.\d+)?)(%?)$/.exec(valueText);
  if (!v) throw new FleetInputError(`--expect '${text}': the value must be a count or a percentage such as 99%`);
  const value = Number(v[1]);
  const percent = v[2] === '%';
  if (percent && value > 100) throw new FleetInputError(`--expect '${text}': a percentage cannot exceed 100%`);
  return { ...base, metric: { kind: 'count', parts: parts as CountMetric['parts'] }, value, percent };
}

/** Checks one expectation against the run's figures (`total` for expectations without a platform). */
export function evaluateExpectation(e: Expectation, reports: { platforms: readonly PlatformReport[]; total: PlatformReport }): ExpectationResult {
  const scope = e.platform ? reports.platforms.find((p) => p.platform === e.platform) : reports.total;
  if (!scope || scope.planned === 0) return { text: e.text, ok: false, actual: `no ${e.platform ?? ''} devices in this run`.replace('  ', ' ') };
  if (e.metric.kind === 'latency') {
    const view = scope.latency[e.metric.of];
    const v = view[e.metric.at];
    if (v === undefined) return { text: e.text, ok: false, actual: 'no samples' };
    return { text: e.text, ok: compare(v, e.op, e.value), actual: `${v} ms` };
  }
  const n = e.metric.parts.reduce((sum, p) => sum + countOf(scope, p), 0);
  if (!e.percent) return { text: e.text, ok: compare(n, e.op, e.value), actual: String(n) };
  const share = (100 * n) / scope.planned;
  return { text: e.text, ok: compare(share, e.op, e.value), actual: `${round(share)}% (${n} of ${scope.planned})` };
}

function countOf(r: PlatformReport, what: CountMetric['parts'][number]): number {
  if (what === 'enrolled') return r.enrolled;
  if (what === 'enrollFailed') return r.enrollFailed;
  if (what === 'errors') return Object.values(r.errors).reduce((a, b) => a + b, 0);
  return r.outcomes[what];
}

function compare(a: number, op: Expectation['op'], b: number): boolean {
  switch (op) {
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '==':
      return a === b;
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
