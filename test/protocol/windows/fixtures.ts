/**
 * Shared inputs for the protocol/windows tests. Microsoft's documentation samples are read from
 * ../shared/specs/windows at run time (never copied into the project); the rest are realistic values
 * of a Windows 10 (19043) client.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { isWindowsProtocolError, type WindowsProtocolErrorCode } from '../../../protocol/windows/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const windowsSpecs = path.resolve(repoRoot, '../shared/specs/windows');

/** A file of ../shared/specs/windows/<dir>/<name> as bytes. */
export function spec(dir: 'msdocs' | 'provisioning' | 'ddf', name: string): Buffer {
  return readFileSync(path.join(windowsSpecs, dir, name));
}

export const msdoc = (name: string): Buffer => spec('msdocs', name);

export const MSDOCS = {
  discoverRequest: 'msdocs-onprem-01-discover-request-windowsphone-rv3.xml',
  discoverResponseFederated: 'msdocs-federated-02-discover-response-authservice.xml',
  getPoliciesResponse: 'msdocs-onprem-03-getpolicies-response.xml',
  rstr: 'msdocs-onprem-04-rstr-response-soap11ns.xml',
  provisioningDoc: 'msdocs-onprem-05-wap-provisioningdoc-sample.xml',
  fault: 'msdocs-06-soap-fault-devicecapreached-lowercase.xml',
  alert1224: 'msdocs-07-alert1224-loginstatus.fragment.xml',
  rst: 'msdocs-onprem-08-rst-request-usernametoken-additionalcontext.xml',
} as const;

export const DEVICE_ID = 'B5B954E81FBCB94EB79BD08BE625F4EE';
export const HW_DEV_ID = '3B3ED6D0EA88CBFCF37D36F90F22FE61172348C0162FC3840D6703149870CE76';
export const SERVER = 'https://mdm.contoso.test';

/** Assert that `fn` throws a WindowsProtocolError with `code` (and, when given, naming `element`). */
export function expectWindowsError(fn: () => unknown, code: WindowsProtocolErrorCode, element?: string | RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'expected a WindowsProtocolError').toBeDefined();
  if (!isWindowsProtocolError(thrown)) throw thrown;
  expect(thrown.code).toBe(code);
  if (element !== undefined) {
    if (typeof element === 'string') expect(thrown.element).toBe(element);
    else expect(thrown.element).toMatch(element);
  }
}

/**
 * The same document with other namespace prefixes: `<s:X` → `<soap:X`, `xmlns:s=` → `xmlns:soap=`,
 * `s:mustUnderstand` → `soap:mustUnderstand`. Codecs must not care.
 */
export function renamePrefixes(xml: string, map: Record<string, string>): string {
  let out = xml;
  for (const [from, to] of Object.entries(map)) {
    out = out
      .replace(new RegExp(`<(/?)${from}:`, 'g'), `<$1${to}:`)
      .replace(new RegExp(`xmlns:${from}=`, 'g'), `xmlns:${to}=`)
      .replace(new RegExp(`(\\s)${from}:(\\w+)=`, 'g'), `$1${to}:$2=`);
  }
  return out;
}

/** Line breaks and indentation between every pair of tags (values are not touched). */
export function prettyPrint(xml: string): string {
  let depth = 0;
  return xml.replace(/></g, () => '>\n' + '  '.repeat(++depth % 4) + '<');
}
