import type { Logger } from 'pino';

/**
 * What never reaches a log in clear (README "The server"): enrollment tokens, SCEP challenges,
 * the admin token, push tokens and PushMagic. Logs are read by more people, kept longer and
 * shipped further than the database; a token in a log line is a token anyone can replay.
 */
export const REDACTED = '[redacted]';

/**
 * Query parameters whose values are a small vocabulary (SCEP's operation, the admin API's filters)
 * and say what a request was; every other value is redacted. Query strings carry the enrollment
 * token (`/mdm/enroll?token=`), the SCEP message with its challenge (`/scep?message=`), and
 * whatever a client decides to put there.
 */
const VOCABULARY_PARAMETERS = new Set(['operation', 'platform', 'status', 'kind']);

/**
 * Paths that carry a secret: the push token of APNs' request path (`/3/device/<token>`, Apple,
 * "Sending notification requests to APNs"), and any long hex segment (a push token or a
 * fingerprint put in a path) wherever it appears.
 */
const SECRET_IN_PATH: readonly RegExp[] = [/(\/3\/device\/)[^/]+/g, /(^|\/)[0-9A-Fa-f]{40,}(?=\/|$)/g];

/** A request URL as it may be logged: secret path segments and query values replaced by `[redacted]`. */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  for (const pattern of SECRET_IN_PATH) path = path.replace(pattern, `$1${REDACTED}`);
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      // A bare item (`?abc123`) may be the secret itself.
      if (eq < 0) return pair === '' ? pair : REDACTED;
      const name = pair.slice(0, eq);
      return VOCABULARY_PARAMETERS.has(name) ? pair : `${name}=${REDACTED}`;
    })
    .join('&');
  return `${path}?${query}`;
}

/**
 * Fields that are censored wherever the server logs them (pino redaction): the rule for code
 * written later that logs a record it should not have. Top-level names and request headers only:
 * a wildcard path (`*.token`) costs ~13 µs on every log line (measured: 2.4 µs a line without
 * redaction, 2.4 µs with these paths, 15 µs with their `*.` forms).
 */
const SECRET_FIELDS = ['token', 'challenge', 'pushMagic', 'pushToken', 'adminToken', 'unlockToken', 'password', 'authorization'];
const SECRET_HEADERS = ['authorization', 'mdm-signature'];

/** The server's logger: the caller's, with the secret fields censored. */
export function redactingLogger(log: Logger): Logger {
  const paths = [...SECRET_FIELDS, ...SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `req.headers["${h}"]`])];
  return log.child({}, { redact: { paths, censor: REDACTED } });
}
