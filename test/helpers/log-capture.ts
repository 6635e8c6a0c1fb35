import { pino, type Level, type Logger } from 'pino';

/** A real pino logger writing JSON lines into memory, to read what the server logs. */
export interface CapturedLog {
  log: Logger;
  /** Every line written so far, as written. */
  text(): string;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Resolves with the first line (already written or to come) that `test` accepts. */
  waitFor(test: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

export function captureLog(level: Level = 'debug'): CapturedLog {
  const raw: string[] = [];
  const waiters: { test: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  const log = pino(
    { level },
    {
      write: (chunk: string) => {
        raw.push(chunk);
        const line = JSON.parse(chunk) as Record<string, unknown>;
        for (const w of [...waiters]) {
          if (w.test(line)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      },
    },
  );
  const lines = () => raw.map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    log,
    text: () => raw.join(''),
    lines,
    waitFor: (test) =>
      new Promise((resolve) => {
        const found = lines().find(test);
        if (found) resolve(found);
        else waiters.push({ test, resolve });
      }),
  };
}
