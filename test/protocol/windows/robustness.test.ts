/**
 * Whatever a client sends, the Windows codecs answer with a value or a WindowsProtocolError: never
 * another exception (a TypeError would become a 500 and a stack in the log). Property-based, over
 * mutations of real messages: truncation, byte flips, spliced markup, random text.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { isWindowsProtocolError } from '../../../protocol/windows/errors.js';
import {
  decodeDiscoverRequest,
  decodeDiscoverResponse,
  decodeEnrollmentRequest,
  decodeEnrollmentResponse,
  decodeGetPoliciesResponse,
  policyHash,
  decodeSoapFault,
  enrollmentRequestDer,
  provisioningDocumentOf,
} from '../../../protocol/windows/mde2/index.js';
import { decodeProvisioningDoc, readEnrollmentProvisioning } from '../../../protocol/windows/provisioning/index.js';
import { decodeSyncML, decodeSyncMLCommand, encodeSyncML } from '../../../protocol/windows/syncml/index.js';
import { readActiveSyncAccounts } from '../../../protocol/windows/activesync/index.js';
import { msdoc, MSDOCS } from './fixtures.js';
import { clientFirstMessage } from './syncml/messages.js';

const corpus: ReadonlyArray<readonly [string, string, (x: string) => unknown]> = [
  ['discover', msdoc(MSDOCS.discoverRequest).toString(), decodeDiscoverRequest],
  ['rst', msdoc(MSDOCS.rst).toString(), (x) => enrollmentRequestDer(decodeEnrollmentRequest(x).request)],
  ['rstr', msdoc(MSDOCS.rstr).toString(), (x) => provisioningDocumentOf(decodeEnrollmentResponse(x).response)],
  ['fault', msdoc(MSDOCS.fault).toString(), decodeSoapFault],
  ['policies', msdoc(MSDOCS.getPoliciesResponse).toString(), (x) => policyHash(decodeGetPoliciesResponse(x).response)],
  ['discover response', msdoc(MSDOCS.discoverResponseFederated).toString(), decodeDiscoverResponse],
  ['wap', msdoc(MSDOCS.provisioningDoc).toString(), (x) => readEnrollmentProvisioning(decodeProvisioningDoc(x))],
  ['syncml', clientFirstMessage({ cred: 'Zz6EivR3yeaaENcRN6lpAQ==', unenroll: true }), (x) => encodeSyncML(decodeSyncML(x))],
  ['alert', msdoc(MSDOCS.alert1224).toString(), decodeSyncMLCommand],
];

function onlyTypedErrors(decode: (x: string) => unknown, input: string): boolean {
  try {
    decode(input);
  } catch (err) {
    if (!isWindowsProtocolError(err)) throw err;
  }
  return true;
}

const mutation = (base: string) =>
  fc.oneof(
    fc.nat({ max: base.length }).map((n) => base.slice(0, n)),
    fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 0xffff })).map(([i, c]) => base.slice(0, i) + String.fromCharCode(c) + base.slice(i + 1)),
    fc.tuple(fc.nat({ max: base.length }), fc.constantFrom('<', '>', '&', '</Item>', '<Data>', ']]>', '<![CDATA[', '&#0;', '"', 'xmlns:s="urn:x"', '<s:Fault/>', '<Atomic>', '\u0000', '\uD800')).map(([i, s]) => base.slice(0, i) + s + base.slice(i)),
    fc.tuple(fc.nat({ max: base.length }), fc.nat({ max: base.length })).map(([a, b]) => base.slice(0, Math.min(a, b)) + base.slice(Math.max(a, b))),
    fc.string({ maxLength: 200 }),
  );

describe('the Windows codecs under hostile input', () => {
  for (const [name, base, decode] of corpus) {
    it(`${name}: a value or a WindowsProtocolError, nothing else`, () => {
      fc.assert(fc.property(mutation(base), (input) => onlyTypedErrors(decode, input)), { numRuns: 300, seed: 20261202 });
    });
  }

  it('ActiveSync account reading: typed errors only, whatever the node values', () => {
    const node = fc.record({ locUri: fc.constantFrom('./Vendor/MSFT/ActiveSync/Accounts/%7B1D5E8B4C-7A2F-4E3B-9C1D-2E3F4A5B6C7D%7D/Options/UseSSL', './User/Vendor/MSFT/ActiveSync/Accounts/{1D5E8B4C-7A2F-4E3B-9C1D-2E3F4A5B6C7D}/Options/Schedule', './Vendor/MSFT/ActiveSync/Accounts/%7B1D5E8B4C-7A2F-4E3B-9C1D-2E3F4A5B6C7D%7D/Options/MailAgeFilter'), value: fc.string({ maxLength: 20 }) });
    fc.assert(fc.property(fc.array(node, { maxLength: 5 }), (nodes) => onlyTypedErrors(() => readActiveSyncAccounts(nodes), '')), { numRuns: 300, seed: 20261202 });
  });
});
