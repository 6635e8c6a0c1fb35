import { realpathSync } from 'node:fs';
import { repoRoot } from '../../helpers/cli.js';

/**
 * What no answer of the server may contain, whatever was sent: a stack trace, a file path of the
 * server's own, or the text of an internal error (common.md: errors cross the wire in the
 * protocol's own form, "never a stack trace or a file path"). Text the request itself carried is
 * not held against the answer: a 404 that names the path asked for echoes what the client sent.
 */
const LEAKS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a stack frame', /\bat (?:async )?[\w$.<>[\] ]*\(?(?:file:\/\/|node:|\/)[^\s)]*:\d+:\d+/],
  ['a source file position', /\.(?:ts|js|mjs|cjs):\d+(?::\d+)?/],
  ['node_modules', /node_modules/],
  ['an internal error name', /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|SqliteError|AssertionError|EvalError|URIError)\b/],
  ['SQLite error text', /SQLITE_[A-Z]+|no such (?:table|column)|constraint failed/],
  ['a JavaScript runtime message', /Cannot read propert|is not a function|is not defined|Maximum call stack|undefined is not|Unexpected token .* in JSON at position/],
];

const OWN_PATHS = [repoRoot, realpathSync(repoRoot)].filter((p, i, all) => p.length > 1 && all.indexOf(p) === i);

/**
 * The leaks found in `answer` (bytes read as latin1 and as UTF-8), ignoring what `sent` contained.
 * `secrets`: strings of this server that no answer may show (its data folder, its admin token).
 */
export function leaksIn(answer: Buffer | string, sent: Buffer | string, secrets: readonly string[] = []): string[] {
  const texts = Buffer.isBuffer(answer) ? [answer.toString('latin1'), answer.toString('utf8')] : [answer];
  const sentText = Buffer.isBuffer(sent) ? sent.toString('latin1') + sent.toString('utf8') : sent;
  const found = new Set<string>();
  for (const text of texts) {
    for (const [what, pattern] of LEAKS) {
      const m = pattern.exec(text);
      if (m && !sentText.includes(m[0])) found.add(`${what} (${JSON.stringify(m[0])})`);
    }
    for (const p of [...OWN_PATHS, ...secrets]) {
      if (text.includes(p) && !sentText.includes(p)) found.add(`a path or secret of the server's (${JSON.stringify(p)})`);
    }
  }
  return [...found];
}
