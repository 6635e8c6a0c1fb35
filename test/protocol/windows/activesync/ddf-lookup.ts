/**
 * A test-only reading of Microsoft's ActiveSync DDF files (../shared/specs/windows/ddf, read at run
 * time): node paths with their format, allowed values and default, so the mapping can be checked
 * against the CSP's own definition. Unnamed (dynamic) nodes become `*`.
 */
import { child, childElements, childText, parseXml, type XmlElement } from '../../../../protocol/xml/index.js';
import { spec } from '../fixtures.js';

export interface DdfNode {
  format?: string;
  defaultValue?: string;
  /** MSFT:AllowedValues ENUM values. */
  enumValues?: string[];
  /** MSFT:AllowedValues Range, e.g. `[(-1)-4294967295]`. */
  range?: string;
}

function walk(node: XmlElement, parent: string, out: Map<string, DdfNode>): void {
  const name = childText(node, 'NodeName') || '*';
  const path = `${parent}/${name}`;
  const props = child(node, 'DFProperties');
  const info: DdfNode = {};
  const format = props && child(props, 'DFFormat');
  const f = format && childElements(format)[0];
  if (f) info.format = f.local;
  const dv = props && childText(props, 'DefaultValue');
  if (dv !== undefined && dv !== '') info.defaultValue = dv;
  const allowed = props && childElements(props).find((e) => e.local === 'AllowedValues');
  if (allowed) {
    const type = allowed.attrs.find((a) => a.local === 'ValueType')?.value;
    const values = childElements(allowed).filter((e) => e.local === 'Enum').map((e) => childText(e, 'Value') ?? '');
    if (type === 'ENUM') info.enumValues = values;
    if (type === 'Range') info.range = childText(allowed, 'Value');
  }
  out.set(path, info);
  for (const c of childElements(node, 'Node')) walk(c, path, out);
}

/** Nodes of a DDF file by full path (`./User/Vendor/MSFT/ActiveSync/Accounts/*\/EmailAddress`). */
export function ddfNodes(file: string): Map<string, DdfNode> {
  // The files start with a DOCTYPE whose internal subset is one processing instruction; the XML layer
  // refuses DTDs by design, so the declaration is cut before parsing.
  const text = spec('ddf', file).toString('utf8').replace(/<!DOCTYPE[\s\S]*?\]>|<!DOCTYPE[^>]*>/, '');
  const root = parseXml(text, { maxBytes: 1 << 20, maxDepth: 64, maxElements: 100_000 });
  const out = new Map<string, DdfNode>();
  for (const top of childElements(root, 'Node')) walk(top, childText(top, 'Path') ?? '.', out);
  return out;
}

/** The DDF path of a concrete LocURI: GUID segments (braces percent-encoded or not) become `*`. */
export function ddfPathOf(locUri: string): string {
  return locUri.replace(/(%7B|\{)[0-9A-Fa-f-]{36}(%7D|\})/gi, '*');
}
