import fc from 'fast-check';

/**
 * Structure-aware mutation of DER (ITU-T X.690): the message is read as a tree of TLVs, one node
 * is changed, and the tree is written back with every enclosing length corrected, so the change
 * reaches the code that reads that field instead of stopping at the first length check. Some
 * mutations deliberately write what DER forbids (long-form lengths for short contents, BER's
 * indefinite length) to check that the decoder refuses them cleanly.
 */
interface Node {
  tag: number;
  children?: Node[];
  content: Buffer;
  /** How to write the length: DER (shortest), long form even when short, or BER indefinite. */
  lengthForm?: 'der' | 'long' | 'indefinite';
}

/** Reads DER into a tree; anything that does not parse is left as an opaque primitive. */
function parse(buf: Buffer): Node[] {
  const nodes: Node[] = [];
  let at = 0;
  while (at < buf.length) {
    const tag = buf[at]!;
    if ((tag & 0x1f) === 0x1f) return [...nodes, { tag: 0x04, content: buf.subarray(at) }]; // multi-byte tags: not used by CMS/SCEP
    let len = buf[at + 1];
    if (len === undefined) return [...nodes, { tag: 0x04, content: buf.subarray(at) }];
    let head = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || at + 2 + n > buf.length) return [...nodes, { tag: 0x04, content: buf.subarray(at) }];
      len = buf.readUIntBE(at + 2, n);
      head += n;
    }
    if (at + head + len > buf.length) return [...nodes, { tag: 0x04, content: buf.subarray(at) }];
    const content = buf.subarray(at + head, at + head + len);
    nodes.push(tag & 0x20 ? { tag, content, children: parse(content) } : { tag, content });
    at += head + len;
  }
  return nodes;
}

function lengthBytes(n: number, form: Node['lengthForm']): Buffer {
  if (form === 'indefinite') return Buffer.from([0x80]);
  if (n < 0x80 && form !== 'long') return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0) bytes.push(0);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function write(nodes: readonly Node[]): Buffer {
  return Buffer.concat(
    nodes.map((n) => {
      const content = n.children ? write(n.children) : n.content;
      const eoc = n.lengthForm === 'indefinite' ? Buffer.from([0, 0]) : Buffer.alloc(0);
      return Buffer.concat([Buffer.from([n.tag]), lengthBytes(content.length, n.lengthForm), content, eoc]);
    }),
  );
}

/** Every node, depth first, with the list it sits in (so it can be removed, repeated or replaced). */
function walk(nodes: Node[], out: { node: Node; siblings: Node[] }[] = []): { node: Node; siblings: Node[] }[] {
  for (const node of nodes) {
    out.push({ node, siblings: nodes });
    if (node.children) walk(node.children, out);
  }
  return out;
}

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

type DerOp =
  | { kind: 'content'; bytes: Buffer }
  | { kind: 'tag'; tag: number }
  | { kind: 'remove' }
  | { kind: 'repeat'; times: number }
  | { kind: 'empty' }
  | { kind: 'lengthForm'; form: 'long' | 'indefinite' }
  | { kind: 'integer'; bytes: Buffer }
  | { kind: 'wrap' };

const derOp: fc.Arbitrary<DerOp> = fc.oneof(
  fc.record({ kind: fc.constant('content' as const), bytes: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) }),
  fc.record({ kind: fc.constant('tag' as const), tag: fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x18, 0x30, 0x31, 0xa0, 0xa1, 0xa3, 0x80, 0xff) }),
  fc.record({ kind: fc.constant('remove' as const) }),
  fc.record({ kind: fc.constant('repeat' as const), times: fc.integer({ min: 2, max: 40 }) }),
  fc.record({ kind: fc.constant('empty' as const) }),
  fc.record({ kind: fc.constant('lengthForm' as const), form: fc.constantFrom('long' as const, 'indefinite' as const) }),
  // INTEGERs a verifier must not trust: zero, negative, huge (an RSA exponent, a version, a serial).
  fc.record({
    kind: fc.constant('integer' as const),
    bytes: fc.oneof(
      fc.constantFrom(Buffer.from([0]), Buffer.from([0xff]), Buffer.from([0x80, 0]), Buffer.from([0, 0, 1]), Buffer.from([1, 0, 1])),
      fc.integer({ min: 1, max: 1200 }).map((n) => Buffer.alloc(n, 0x7f)),
    ),
  }),
  fc.record({ kind: fc.constant('wrap' as const) }),
);

/** `base` (DER) with one to three nodes changed, lengths fixed up around them. */
export function mutatedDer(base: Buffer): fc.Arbitrary<Buffer> {
  return fc.array(fc.tuple(fraction, derOp), { minLength: 1, maxLength: 3 }).map((ops) => {
    const tree = parse(base);
    for (const [where, op] of ops) {
      const all = walk(tree);
      if (all.length === 0) break;
      const { node, siblings } = all[Math.floor(where * all.length)]!;
      const i = siblings.indexOf(node);
      switch (op.kind) {
        case 'content':
          delete node.children;
          node.content = op.bytes;
          break;
        case 'tag':
          node.tag = op.tag;
          break;
        case 'remove':
          siblings.splice(i, 1);
          break;
        case 'repeat':
          siblings.splice(i, 0, ...Array.from({ length: op.times - 1 }, () => node));
          break;
        case 'empty':
          delete node.children;
          node.content = Buffer.alloc(0);
          break;
        case 'lengthForm':
          node.lengthForm = op.form;
          break;
        case 'integer':
          node.tag = 0x02;
          delete node.children;
          node.content = op.bytes;
          break;
        case 'wrap':
          siblings[i] = { tag: 0x30, children: [node], content: Buffer.alloc(0) };
          break;
      }
    }
    return write(tree);
  });
}
