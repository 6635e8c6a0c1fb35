import {
  DDF_ACCESS_TYPES,
  placeholderName,
  type DdfAccessType,
  type DdfAllowedValues,
  type DdfDynamicNaming,
  type DdfFormat,
  type DdfNode,
  type DdfOccurrence,
} from '../../../../protocol/windows/ddf/index.js';

/**
 * A compact way to write node definitions by hand, read from Microsoft's public CSP reference pages
 * (each page's "Description framework properties": Format, Access Type, Allowed Values, Default
 * Value, Dynamic Node Naming). The fallback table is used only when no DDF directory is found; a
 * test checks every node it defines against the DDF-built tree, so it cannot drift from the files.
 */
export interface NodeSpec {
  /** undefined: an unnamed node (its instances are named by the server or the client). */
  name: string | undefined;
  /** For an unnamed node: the placeholder (DFTitle), e.g. "Account GUID". */
  title?: string;
  format: DdfFormat;
  /** Access types as letters: A(dd) C(opy) D(elete) E(xec) G(et) R(eplace). */
  access: string;
  /** P(ermanent) or D(ynamic); the reference pages list permanent nodes as the CSP's fixed structure. */
  scope: 'P' | 'D';
  occurrence: DdfOccurrence['kind'];
  defaultValue?: string;
  allowed?: DdfAllowedValues;
  naming?: DdfDynamicNaming['kind'];
  atomicRequired?: boolean;
  children: NodeSpec[];
}

type Options = Partial<Pick<NodeSpec, 'title' | 'scope' | 'occurrence' | 'defaultValue' | 'allowed' | 'naming' | 'atomicRequired'>>;

/** An interior node. */
export function interior(name: string | undefined, access: string, options: Options, children: NodeSpec[]): NodeSpec {
  return { name, format: 'node', access, scope: 'D', occurrence: 'One', ...options, children };
}

/** A leaf. */
export function leaf(name: string, access: string, format: DdfFormat = 'chr', options: Options = {}): NodeSpec {
  return { name, format, access, scope: 'D', occurrence: 'One', ...options, children: [] };
}

export const enumOf = (...values: string[]): DdfAllowedValues => ({ kind: 'enum', values: values.map((value) => ({ value })) });
export const flagOf = (...values: string[]): DdfAllowedValues => ({ kind: 'flag', values: values.map((value) => ({ value })) });
export const rangeOf = (min: number, max: number): DdfAllowedValues => ({
  kind: 'range',
  min,
  max,
  text: `[${min < 0 ? `(${min})` : min}-${max}]`,
});
export const regexOf = (pattern: string): DdfAllowedValues => ({ kind: 'regex', pattern });

const ACCESS_LETTERS: Record<string, DdfAccessType> = { A: 'Add', C: 'Copy', D: 'Delete', E: 'Exec', G: 'Get', R: 'Replace' };

/** The DdfNode (as the DDF parser would give it) for a spec placed under `parentPath`. */
export function toDdfNode(parentPath: string, spec: NodeSpec): DdfNode {
  const letters = new Set([...spec.access].map((l) => ACCESS_LETTERS[l]));
  if (letters.has(undefined)) throw new Error(`bad access letters "${spec.access}" for ${parentPath}/${spec.name ?? spec.title}`);
  const path = `${parentPath}/${spec.name ?? placeholderName(spec.title)}`;
  const naming: DdfDynamicNaming | undefined =
    spec.naming === undefined ? undefined : spec.naming === 'UniqueName' ? { kind: 'UniqueName', text: '' } : { kind: spec.naming };
  return {
    name: spec.name,
    path,
    properties: {
      accessTypes: DDF_ACCESS_TYPES.filter((a) => letters.has(a)),
      format: spec.format,
      occurrence: { kind: spec.occurrence } as DdfOccurrence,
      scope: spec.scope === 'P' ? 'Permanent' : 'Dynamic',
      ...(spec.title ? { title: spec.title } : {}),
      ...(spec.defaultValue !== undefined ? { defaultValue: spec.defaultValue } : {}),
      mimeTypes: [],
      ...(naming ? { dynamicNaming: naming } : {}),
      ...(spec.allowed ? { allowedValues: spec.allowed } : {}),
      atomicRequired: spec.atomicRequired ?? false,
    },
    children: spec.children.map((c) => toDdfNode(path, c)),
  };
}
