import type { CspContext, CspHandler, CspNodeRef, CspWrite, JsonObject } from './csp-handler.js';
import type { ExecContext } from './dm-context.js';
import { childrenAtLoc, locate, locateSegments, readChildren, readValue, valueAtLoc, type Located } from './dm-locate.js';
import type { SchemaNode } from './dm-schema.js';
import { formatLocUri } from './loc-uri.js';

/**
 * What a CSP handler (csp-handler.ts) is given: the node as the handler sees it, and a context
 * reaching the tree without handing the handler the tree's internals.
 */

/** A node as a CSP handler sees it; its URI is written only if the handler asks. */
class NodeRef implements CspNodeRef {
  #uri: string | undefined;
  constructor(
    readonly segments: readonly string[],
    readonly names: readonly string[],
    readonly template: string,
    readonly rootPath: string,
    readonly schema: SchemaNode,
  ) {}
  get uri(): string {
    return (this.#uri ??= formatLocUri(this.segments));
  }
}

class WriteRef extends NodeRef implements CspWrite {
  constructor(
    ref: NodeRef,
    readonly op: CspWrite['op'],
    readonly implicit: boolean,
    readonly previous: string | undefined,
    readonly value: string | undefined,
  ) {
    super(ref.segments, ref.names, ref.template, ref.rootPath, ref.schema);
  }
}

/** The CSP (if any) serving segment `index`, with the node as its handler sees it. */
export function cspRef(ctx: ExecContext, loc: Located, index: number): { handler: CspHandler; ref: NodeRef } | undefined {
  const schema = loc.schema[index];
  if (!schema) return undefined;
  const binding = ctx.core.handlers.bindingOf(schema);
  if (!binding) return undefined;
  const segments = loc.segments.slice(0, index + 1);
  const ref = new NodeRef(segments, segments.slice(binding.rootDepth), binding.template, binding.root.path, schema);
  return { handler: binding.handler, ref };
}

/** A write as the handler's checkWrite sees it. */
export function cspWrite(ref: NodeRef, op: CspWrite['op'], implicit: boolean, previous: string | undefined, value: string | undefined): CspWrite {
  return new WriteRef(ref, op, implicit, previous, value);
}

/** The context a handler call gets. */
export function cspContext(ctx: ExecContext, handler: CspHandler): CspContext {
  return new HandlerContext(ctx, handler);
}

class HandlerContext implements CspContext {
  constructor(
    private readonly ctx: ExecContext,
    private readonly handler: CspHandler,
  ) {}
  get origin() {
    return this.ctx.origin;
  }
  get inAtomic() {
    return this.ctx.atomic !== undefined;
  }
  get state(): JsonObject {
    return this.ctx.core.cspStates.get(this.handler.id) ?? {};
  }
  setState(state: JsonObject): void {
    this.ctx.core.cspStates.set(this.handler.id, state);
  }
  get batch() {
    return this.ctx.batch;
  }
  valueOf(uri: string) {
    return readValue(this.ctx.core, uri);
  }
  childrenOf(uri: string) {
    return readChildren(this.ctx.core, uri);
  }
  valueAt(segments: readonly string[]) {
    return valueAtLoc(locateSegments(this.ctx.core, [...segments]));
  }
  childrenAt(segments: readonly string[]) {
    return childrenAtLoc(this.ctx.core, locateSegments(this.ctx.core, [...segments]));
  }
  deleteNow(uri: string): void {
    const found = locate(this.ctx.core, uri);
    if (!found.ok || found.loc.existing !== found.loc.segments.length) return;
    const node = found.loc.nodes[found.loc.nodes.length - 1];
    if (!node?.parent) return;
    this.ctx.immediate.changed(node);
    this.ctx.immediate.detach(node.parent, node);
  }
}
