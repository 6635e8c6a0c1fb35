import type { ScepSubject } from '../../protocol/apple/payloads/scep.js';

/**
 * A certificate profile's subject (`CN={{upn}},O=Contoso`) for one device, in the SCEP payload's
 * array-of-RDN form (com.apple.security.scep Subject: [[["CN","…"]],[["O","…"]]]).
 */
export function subjectFor(template: string, vars: Record<string, string>): ScepSubject {
  const filled = template.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => vars[name] ?? '');
  return filled
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      return [[part.slice(0, eq).trim(), part.slice(eq + 1).trim()] as const];
    });
}
