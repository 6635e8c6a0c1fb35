import {
  compileAllowedValues,
  DdfError,
  placeholderName,
  type AllowedValuesCheck,
  type DdfAccessType,
  type DdfDocument,
  type DdfFormat,
  type DdfNode,
} from '../../../protocol/windows/ddf/index.js';

/**
 * The node definitions of a Windows device's management tree, built once per process from parsed
 * DDF files (or the fallback table) and shared by every simulated device: a device's tree holds only
 * values and the instances of dynamic nodes (dm-node.ts), each pointing at its SchemaNode here.
 *
 * Paths are canonical: `./Device/Vendor/MSFT/X` (CertificateStore's and DMClient's DDF Path) is
 * stored as `./Vendor/MSFT/X`, the node Windows also reaches without the prefix (loc-uri.ts); user
 * scope stays under `./User`. The ancestors a DDF only names in its <Path> (`User`, `Vendor`,
 * `MSFT`, `SyncML`) are interior nodes of the tree too: permanent, Get only.
 *
 * Node names match without regard to case. OMA-TS-DM_TND-V1_2 ("The Management Tree") lets an implementation treat URIs
 * case-insensitively (preserving the case of dynamic names as created), and Windows does:
 * Microsoft's own examples address `./user/vendor/MSFT/…` and `./device/vendor/MSFT/…` ("OMA DM
 * protocol support"), and the CertificateStore DDF names `ROOT` and `MY` the stores that enrollment
 * provisions as `Root` and `My`.
 */

export const ACCESS_BITS: Readonly<Record<DdfAccessType, number>> = { Add: 1, Copy: 2, Delete: 4, Exec: 8, Get: 16, Replace: 32 };

export interface SchemaNode {
  /** The DDF NodeName; undefined for an unnamed node, whose instances carry their own names. */
  readonly name: string | undefined;
  /** Canonical template path, `./User/Vendor/MSFT/ActiveSync/Accounts/{Account GUID}`. */
  readonly path: string;
  readonly parent: SchemaNode | undefined;
  /** The DDF definition; undefined for the root and for the ancestors a <Path> names. */
  readonly def: DdfNode | undefined;
  readonly format: DdfFormat;
  /** ACCESS_BITS of the node's AccessType. */
  readonly access: number;
  /** Scope Permanent: exists whenever its parent does, cannot be deleted. */
  readonly permanent: boolean;
  /** MSFT:AtomicRequired on this node or an ancestor ("this node and all children nodes"). */
  readonly atomicRequired: boolean;
  /** For an unnamed node whose Occurrence is One or ZeroOrOne: at most one instance per parent. */
  readonly single: boolean;
  /** MSFT:AllowedValues: a leaf's value, or an unnamed interior node's instance name (the account GUID regex). */
  readonly check: AllowedValuesCheck | undefined;
  /** The MIME type a Get reports for a leaf (DFType MIME, `text/plain` when the file leaves it empty). */
  readonly mimeType: string;
  /** Static children by lower-case name, in DDF order. */
  readonly named: ReadonlyMap<string, SchemaNode>;
  /** The unnamed child, if any. */
  readonly dynamic: SchemaNode | undefined;
}

class Node implements SchemaNode {
  named = new Map<string, Node>();
  dynamic: Node | undefined;
  format: DdfFormat = 'node';
  access = ACCESS_BITS.Get;
  permanent = true;
  ownAtomicRequired = false;
  single = false;
  check: AllowedValuesCheck | undefined;
  mimeType = 'text/plain';

  constructor(
    readonly name: string | undefined,
    readonly path: string,
    readonly parent: Node | undefined,
    public def: DdfNode | undefined,
  ) {}

  // Read when a command runs, not fixed at build time: a file defining an ancestor may come later.
  get atomicRequired(): boolean {
    return this.ownAtomicRequired || (this.parent?.atomicRequired ?? false);
  }

  define(def: DdfNode): void {
    const p = def.properties;
    this.def = def;
    this.format = p.format;
    this.access = p.accessTypes.reduce((bits, a) => bits | ACCESS_BITS[a], 0);
    this.permanent = p.scope === 'Permanent';
    this.ownAtomicRequired = p.atomicRequired;
    this.single = def.name === undefined && (p.occurrence.kind === 'One' || p.occurrence.kind === 'ZeroOrOne');
    this.check = p.allowedValues ? compileAllowedValues(p.allowedValues, p.format === 'node' ? 'chr' : p.format) : undefined;
    this.mimeType = p.mimeTypes[0] ?? 'text/plain';
  }
}

export interface DmSchemaBuildOptions {
  /** Keep only some top-level DDF nodes (e.g. no `./User` nodes for a Windows Phone 8.1 device). */
  include?: (root: DdfNode) => boolean;
}

export class DmSchema {
  readonly root: SchemaNode;
  readonly #byPath: Map<string, Node>;
  /** How many definitions (DDF nodes) the schema holds. */
  readonly size: number;

  private constructor(root: Node, byPath: Map<string, Node>, size: number) {
    this.root = root;
    this.#byPath = byPath;
    this.size = size;
  }

  /** Builds the schema from parsed DDF documents (or bare top-level nodes, as the fallback table gives). Throws DdfError on a clash. */
  static build(sources: readonly (DdfDocument | DdfNode)[], options: DmSchemaBuildOptions = {}): DmSchema {
    const root = new Node(undefined, '.', undefined, undefined);
    const byPath = new Map<string, Node>([['.', root]]);
    let size = 0;
    const attach = (parent: Node, def: DdfNode): void => {
      const name = def.name;
      const path = `${parent.path}/${name ?? placeholderName(def.properties.title)}`;
      let node: Node;
      if (name === undefined) {
        if (parent.dynamic) throw new DdfError('duplicateNode', 'two unnamed nodes under one parent', path);
        node = new Node(undefined, path, parent, undefined);
        parent.dynamic = node;
      } else {
        const existing = parent.named.get(name.toLowerCase());
        if (existing?.def) throw new DdfError('duplicateNode', 'the node is defined twice', path);
        node = existing ?? new Node(name, path, parent, undefined);
        if (!existing) parent.named.set(name.toLowerCase(), node);
        if (existing && def.properties.format !== 'node' && existing.named.size > 0) {
          throw new DdfError('duplicateNode', 'a leaf is defined where other files put interior nodes', path);
        }
      }
      if (parent.def && parent.format !== 'node') throw new DdfError('duplicateNode', 'a node is defined below a leaf', path);
      node.define(def);
      byPath.set(node.path.toLowerCase(), node);
      size++;
      for (const c of def.children) attach(node, c);
    };
    for (const source of sources) {
      const roots = 'roots' in source ? source.roots : [source];
      for (const def of roots) {
        if (options.include && !options.include(def)) continue;
        attach(ancestorsOf(def, root, byPath), def);
      }
    }
    return new DmSchema(root, byPath, size);
  }

  /** The definition at a template path, in any of the accepted spellings (`./Device/Vendor/…`, any case). */
  node(templatePath: string): SchemaNode | undefined {
    return this.#byPath.get(canonicalTemplatePath(templatePath).toLowerCase());
  }

  /** Every node with a definition, parents before children. */
  *definitions(): Generator<SchemaNode> {
    const walk = function* (n: SchemaNode): Generator<SchemaNode> {
      if (n.def) yield n;
      for (const c of n.named.values()) yield* walk(c);
      if (n.dynamic) yield* walk(n.dynamic);
    };
    yield* walk(this.root);
  }

  /** The definitions along decoded segments; `missingAt` is the index of the first segment no definition matches. */
  resolve(segments: readonly string[]): { nodes: SchemaNode[] } | { missingAt: number } {
    const nodes: SchemaNode[] = [];
    let at: SchemaNode = this.root;
    for (let i = 0; i < segments.length; i++) {
      const next = childSchema(at, segments[i]!);
      if (!next) return { missingAt: i };
      nodes.push(next);
      at = next;
    }
    return { nodes };
  }
}

/** A static child by name first (case-insensitive), else the unnamed child. */
export function childSchema(parent: SchemaNode, name: string): SchemaNode | undefined {
  if (parent.format !== 'node') return undefined;
  return parent.named.get(name.toLowerCase()) ?? parent.dynamic;
}

/** Drops the `./Device` prefix of device-scope CSP paths: `./Device/Vendor/MSFT/X` → `./Vendor/MSFT/X`. */
export function canonicalTemplatePath(path: string): string {
  const p = path.trim().replace(/\/+$/, '');
  const m = /^\.\/device\/(vendor(?:\/.*)?)$/i.exec(p);
  return m ? `./${m[1]}` : p === '' ? '.' : p;
}

/** The (virtual or defined) interior node a top-level DDF node hangs under, created along its <Path>. */
function ancestorsOf(def: DdfNode, root: Node, byPath: Map<string, Node>): Node {
  const base = canonicalTemplatePath(def.path.slice(0, def.path.lastIndexOf('/')));
  let at = root;
  for (const segment of base.split('/').slice(1)) {
    if (at.def && at.format !== 'node') throw new DdfError('duplicateNode', 'a <Path> runs through a leaf', def.path);
    let next = at.named.get(segment.toLowerCase());
    if (!next) {
      next = new Node(segment, `${at.path}/${segment}`, at, undefined);
      at.named.set(segment.toLowerCase(), next);
      byPath.set(next.path.toLowerCase(), next);
    }
    at = next;
  }
  return at;
}
