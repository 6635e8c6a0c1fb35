import type fc from 'fast-check';
import type { FuzzFamily, Outcome } from './family.js';
import { carry, incomplete, type Carriage } from './http-variants.js';
import { exchange, requestBytes, type HttpAnswer, type RequestSpec } from './raw-http.js';
import type { FuzzServer } from './server-process.js';

/** One request of a family: anything RequestSpec allows, its body carried as `carriage` says (coded, chunked, lying). */
export interface FuzzRequest extends RequestSpec {
  carriage?: Carriage;
}

export interface HttpFamilyOptions<R extends FuzzRequest> {
  /** Inputs per default run. */
  runs: number;
  requests: fc.Arbitrary<R>;
  /** What is wrong with one answer in the protocol's own terms (its error form, the body of a success). */
  answerProblems?: (answer: HttpAnswer, request: R) => string[];
  /** Whether the server took the request (and may have written); default: a 2xx or 3xx answer. */
  accepted?: (answers: readonly HttpAnswer[], request: R) => boolean;
  stillServes?: () => Promise<string[]>;
  /** A 5xx that is the protocol's refusal (FuzzFamily.protocolFault). */
  protocolFault?: (answer: HttpAnswer) => boolean;
}

/**
 * A family whose inputs are single HTTP requests: all a protocol needs to be fuzzed is an
 * arbitrary of requests (test/fuzz/README.md), and, if it has one, the form of its answers.
 */
export function httpFamily<R extends FuzzRequest>(server: FuzzServer, options: HttpFamilyOptions<R>): FuzzFamily<R> {
  return {
    runs: options.runs,
    inputs: options.requests,
    ...(options.stillServes ? { stillServes: options.stillServes } : {}),
    ...(options.protocolFault ? { protocolFault: options.protocolFault } : {}),
    async send(request: R): Promise<Outcome> {
      let spec: RequestSpec = request;
      if (request.carriage && request.body !== undefined) {
        const carried = carry(Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body), request.carriage);
        spec = { ...request, headers: [...(request.headers ?? []), ...carried.headers], body: carried.body };
      }
      const ex = await exchange(server.port, requestBytes(spec, `127.0.0.1:${server.port}`), { endAfterWrite: request.carriage !== undefined && incomplete(request.carriage) });
      return {
        sent: ex.request,
        answers: ex.answers,
        received: ex.raw,
        timedOut: ex.timedOut,
        problems: options.answerProblems ? ex.answers.flatMap((a) => options.answerProblems!(a, request)) : [],
        ...(options.accepted && ex.answers.length > 0 ? { accepted: options.accepted(ex.answers, request) } : {}),
      };
    },
  };
}

/** The device protocols' refusal form (server/errors/catalogue.ts PROTOCOL_ERRORS): one line of text/plain. */
export function oneLineRefusal(a: HttpAnswer, request: { method: string }): string[] {
  if (a.status < 400 || a.body.length === 0 || request.method === 'HEAD') return [];
  const type = a.headers.get('content-type')?.[0] ?? '';
  return type.startsWith('text/plain') && !a.body.toString('utf8').trimEnd().includes('\n') ? [] : [`a ${a.status} that is not one line of text/plain (${type || 'no Content-Type'})`];
}
