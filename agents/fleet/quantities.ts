import { FleetInputError } from './input-error.js';

/** `30%` or `30` (a percentage) → 0.3. */
export function parseShare(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 0 && n <= 100)) throw new FleetInputError(`${flag} '${text}': expected a percentage between 0% and 100%, e.g. 30%`);
  return n / 100;
}

/** `200/s`, `12000/m`, `200` (per second) → per second. */
export function parseRate(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/.exec(text);
  const n = m ? Number(m[1]) * (m[2]?.startsWith('m') ? 1 / 60 : 1) : NaN;
  if (!(n > 0)) throw new FleetInputError(`${flag} '${text}': expected a rate such as 200/s or 600/m`);
  return n;
}

/** A positive whole number. */
export function parseCount(flag: string, text: string, min = 1): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(Number.isSafeInteger(n) && n >= min)) throw new FleetInputError(`${flag} must be a whole number${min > 0 ? ` of at least ${min}` : ''}, not '${text}'`);
  return n;
}

/** `2s..10s` or `5s` (a fixed delay) → [min, max] ms. */
export function parseDelayRange(flag: string, text: string, parseDuration: (s: string) => number | undefined): [number, number] {
  const [a, b] = text.split('..');
  const min = a === undefined ? undefined : parseDuration(a);
  const max = b === undefined ? min : parseDuration(b);
  if (min === undefined || max === undefined || max < min) throw new FleetInputError(`${flag} '${text}': expected a delay such as 5s or a range such as 2s..10s`);
  return [min, max];
}
