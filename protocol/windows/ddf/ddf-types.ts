/**
 * Typed node definitions read from a Device Description Framework file: OMA DM TND 1.2 (the DDF DTD,
 * OMA-TS-DM_TND-V1_2 §9) with Microsoft's DDF v2 extensions in the namespace
 * `http://schemas.microsoft.com/MobileDevice/DM` (schema published on learn.microsoft.com,
 * "Configuration service provider DDF files", DDF v2 schema and the `MSFT` namespace schema).
 *
 * A definition describes a node of the management tree, never a value: the simulated device's
 * DM tree (agents/windows/dm-tree) attaches values to instances of these definitions.
 */

/** OMA DM TND `DFFormat`, plus the three Microsoft's DDF v2 schema adds (date, time, float). */
export const DDF_FORMATS = ['b64', 'bin', 'bool', 'chr', 'int', 'node', 'null', 'xml', 'date', 'time', 'float'] as const;
export type DdfFormat = (typeof DDF_FORMATS)[number];

/** OMA DM TND `AccessType`: which commands a server may send to the node. */
export const DDF_ACCESS_TYPES = ['Add', 'Copy', 'Delete', 'Exec', 'Get', 'Replace'] as const;
export type DdfAccessType = (typeof DDF_ACCESS_TYPES)[number];

/**
 * OMA DM TND `Occurrence`: how many instances of the node its parent may hold. `max` is the N of
 * ZeroOrN / OneOrN when the file gives one (Microsoft's v2 files write `<OneOrN />` without it).
 */
export type DdfOccurrence =
  | { kind: 'One' }
  | { kind: 'ZeroOrOne' }
  | { kind: 'ZeroOrMore' }
  | { kind: 'OneOrMore' }
  | { kind: 'ZeroOrN'; max?: number }
  | { kind: 'OneOrN'; max?: number };

/** OMA DM TND `Scope`: Permanent nodes are created by the device and cannot be deleted; Dynamic ones can. */
export type DdfScope = 'Permanent' | 'Dynamic';

/** MSFT:DynamicNodeNaming: who names an unnamed (dynamic) node. */
export type DdfDynamicNaming =
  | { kind: 'ServerGeneratedUniqueIdentifier' }
  | { kind: 'ClientInventory' }
  /** The schema calls the text a regex; Microsoft's files hold prose there ("The SHA1 hash for the certificate."). */
  | { kind: 'UniqueName'; text: string };

/**
 * MSFT:AllowedValues. `enum` and `flag` list the values (Flag: any bitwise combination of them);
 * `range` is inclusive; `regex` is the pattern as written; `unchecked` covers the kinds that carry
 * no machine-checkable rule here (None, XSD, ADMX, JSON, SDDL, or a rule this codec could not read:
 * see DdfDocument.warnings). `list` (MSFT:List) means the value is a list of items separated by
 * `delimiter`, each of which must satisfy the rule.
 */
export type DdfAllowedValues = (
  | { kind: 'enum'; values: readonly DdfAllowedValue[] }
  | { kind: 'flag'; values: readonly DdfAllowedValue[] }
  | { kind: 'range'; min: number; max: number; text: string }
  | { kind: 'regex'; pattern: string }
  | { kind: 'unchecked'; valueType: string; text?: string }
) & { list?: { delimiter: string } };

export interface DdfAllowedValue {
  value: string;
  description?: string;
}

/** MSFT:Applicability: where the node applies (not enforced by the tree; kept for inventory). */
export interface DdfApplicability {
  osBuildVersion?: string;
  cspVersion?: string;
  /** Edition (product type) ids, e.g. 0x30 PRODUCT_PROFESSIONAL, parsed from "0x4;0x1B;…". */
  editionAllowList?: readonly number[];
  requiresAzureAd?: boolean;
}

/** One MSFT:DependencyGroup (kept, not enforced). */
export interface DdfDependencyGroup {
  friendlyId: string;
  dependencies: readonly { type: string; uri: string }[];
}

export interface DdfProperties {
  /** Sorted in DDF_ACCESS_TYPES order, no duplicates. */
  accessTypes: readonly DdfAccessType[];
  format: DdfFormat;
  occurrence: DdfOccurrence;
  scope: DdfScope;
  description?: string;
  /** DFTitle: for an unnamed node, the placeholder name ("Account GUID"). */
  title?: string;
  defaultValue?: string;
  /** DFType: MIME type(s) of a leaf's value, or the DDF name of an interior node's type. */
  mimeTypes: readonly string[];
  ddfName?: string;
  /** CaseSense: CS (case sensitive) or CIS. */
  caseSense?: 'CS' | 'CIS';
  applicability?: DdfApplicability;
  dynamicNaming?: DdfDynamicNaming;
  allowedValues?: DdfAllowedValues;
  /** MSFT:AtomicRequired: this node and all its children are to be sent inside an Atomic. */
  atomicRequired: boolean;
  /** MSFT:ReplaceBehavior: Append adds the replaced value to the existing data. */
  replaceBehavior?: 'Replace' | 'Append';
  rebootBehavior?: string;
  conflictResolution?: string;
  deprecated?: { osBuildDeprecated?: string };
  dependencies?: readonly DdfDependencyGroup[];
}

export interface DdfNode {
  /** NodeName; undefined for an unnamed node (`<NodeName/>`), whose instances the server or client names. */
  name: string | undefined;
  /**
   * Full path of the node with `{Title}` for each unnamed node, as written in the file:
   * `./User/Vendor/MSFT/ActiveSync/Accounts/{Account GUID}/EmailAddress`.
   */
  path: string;
  properties: DdfProperties;
  children: readonly DdfNode[];
}

export interface DdfDocument {
  /** VerDTD, e.g. "1.2". */
  verDtd: string;
  /** The top-level nodes, each carrying its <Path> in `path`. */
  roots: readonly DdfNode[];
  /** Things the codec accepted but could not fully understand (an unreadable range, a regex JavaScript cannot compile). */
  warnings: readonly string[];
}

/**
 * The placeholder an unnamed node takes in a path: `{Account GUID}`, or `{}` without a DFTitle (a
 * `/` in a title would read as a path separator, so it becomes `-`).
 */
export function placeholderName(title: string | undefined): string {
  const t = (title ?? '').trim().replace(/^\{(.*)\}$/, '$1').replace(/\//g, '-');
  return `{${t}}`;
}

/** Depth-first, parents before children. */
export function* walkDdf(nodes: readonly DdfNode[]): Generator<DdfNode> {
  for (const n of nodes) {
    yield n;
    yield* walkDdf(n.children);
  }
}
