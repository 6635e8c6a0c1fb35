import { attr, childElements, isXmlError, parseXml, rawText, UNBOUND_PREFIX_NS, type XmlElement, type XmlLimits } from '../../xml/index.js';
import { parseAllowedValues } from './ddf-allowed-values.js';
import { withoutDdfDoctype } from './ddf-doctype.js';
import { DdfError } from './ddf-error.js';
import {
  DDF_ACCESS_TYPES,
  DDF_FORMATS,
  placeholderName,
  type DdfAccessType,
  type DdfApplicability,
  type DdfDependencyGroup,
  type DdfDocument,
  type DdfDynamicNaming,
  type DdfFormat,
  type DdfNode,
  type DdfOccurrence,
  type DdfProperties,
} from './ddf-types.js';

/** Namespace of Microsoft's DDF v2 extensions (`xmlns:MSFT` in every file). */
export const MSFT_DM_NS = 'http://schemas.microsoft.com/MobileDevice/DM';

/**
 * A DDF is a local file read once at start-up, but it is still bounded: Microsoft's largest (the
 * Policy CSP) is a few MB and nests a dozen nodes deep.
 */
export const DEFAULT_DDF_LIMITS: XmlLimits = { maxBytes: 32 * 1024 * 1024, maxDepth: 256, maxElements: 2_000_000 };

export interface DdfParseOptions {
  limits?: Partial<XmlLimits>;
}

/**
 * Parses one DDF file (OMA DM TND 1.2 §9 with Microsoft's DDF v2 extensions) into typed node
 * definitions with full paths. Strict on structure (NodeName, DFProperties, AccessType, DFFormat;
 * sibling names unique), lenient on what it does not use (unknown MSFT extensions are skipped).
 * Throws DdfError.
 */
export function parseDdf(input: Buffer | string, options: DdfParseOptions = {}): DdfDocument {
  const limits = { ...DEFAULT_DDF_LIMITS, ...options.limits };
  const source = withoutDdfDoctype(decode(input, limits.maxBytes));
  let root: XmlElement;
  try {
    root = parseXml(source, limits);
  } catch (err) {
    if (isXmlError(err)) throw new DdfError('xml', err.message, undefined, { cause: err });
    throw err;
  }
  if (root.local !== 'MgmtTree') throw new DdfError('malformed', `the root element is <${root.local}>, not <MgmtTree>`);
  const verDtd = omaText(root, 'VerDTD');
  if (!verDtd) throw new DdfError('malformed', '<MgmtTree> has no <VerDTD>');
  const warnings: string[] = [];
  const roots = parseSiblings(omaChildren(root, 'Node'), undefined, warnings);
  if (roots.length === 0) throw new DdfError('malformed', '<MgmtTree> defines no <Node>');
  return { verDtd, roots, warnings };
}

function decode(input: Buffer | string, maxBytes: number): string {
  if (typeof input === 'string') {
    if (input.length > maxBytes) throw new DdfError('xml', `XML is limited to ${maxBytes} bytes`);
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (input.length > maxBytes) throw new DdfError('xml', `XML is limited to ${maxBytes} bytes`);
  if (input[0] === 0xff && input[1] === 0xfe) return input.subarray(2).toString('utf16le');
  const text = input.subarray(input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0).toString('utf8');
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(text)?.[1]?.toLowerCase();
  if (declared && !['utf-8', 'utf8', 'us-ascii', 'ascii'].includes(declared)) {
    throw new DdfError('xml', `encoding "${declared}" is not supported; DDF files are UTF-8`);
  }
  return text;
}

function parseSiblings(elements: XmlElement[], parentPath: string | undefined, warnings: string[]): DdfNode[] {
  const nodes = elements.map((el) => parseNode(el, parentPath, warnings));
  const seen = new Map<string, string>();
  for (const n of nodes) {
    // Only siblings under the same parent path collide (top-level nodes may each carry their own Path).
    const parent = n.path.slice(0, n.path.lastIndexOf('/'));
    const key = `${parent.toLowerCase()}/${n.name === undefined ? '{}' : n.name.toLowerCase()}`;
    if (seen.has(key)) {
      throw new DdfError('duplicateNode', n.name === undefined ? 'two unnamed sibling nodes' : `two sibling nodes named "${n.name}"`, n.path);
    }
    seen.set(key, n.path);
  }
  return nodes;
}

function parseNode(el: XmlElement, parentPath: string | undefined, warnings: string[]): DdfNode {
  const nameEl = omaChildren(el, 'NodeName')[0];
  const where = parentPath ?? '.';
  if (!nameEl) throw new DdfError('malformed', '<Node> has no <NodeName>', where);
  const rawName = rawText(nameEl).trim();
  const name = rawName === '' ? undefined : rawName;
  if (name !== undefined && (name.includes('/') || name === '*' || name === '.' || name === '..')) {
    throw new DdfError('malformed', `"${name}" is not a node name`, where);
  }
  let base = parentPath;
  const pathText = omaText(el, 'Path');
  if (parentPath === undefined) {
    base = normalizePath(pathText ?? '.', where);
  } else if (pathText !== undefined) {
    warnings.push(`${where}: <Path> on a nested node is ignored`);
  }
  const propsEl = omaChildren(el, 'DFProperties')[0];
  const provisional = `${base}/${name ?? '{}'}`;
  if (!propsEl) throw new DdfError('malformed', '<Node> has no <DFProperties>', provisional);
  const warn = (m: string) => warnings.push(`${provisional}: ${m}`);
  const properties = parseProperties(propsEl, provisional, warn);
  const path = `${base}/${name ?? placeholderName(properties.title)}`;
  const childEls = omaChildren(el, 'Node');
  if (properties.format !== 'node' && childEls.length > 0) {
    throw new DdfError('malformed', `a leaf node (format ${properties.format}) has child nodes`, path);
  }
  return { name, path, properties, children: parseSiblings(childEls, path, warnings) };
}

/** `./User/Vendor/MSFT/` → `./User/Vendor/MSFT`; `.` stays `.`. A Path must be rooted at `.`. */
function normalizePath(text: string, where: string): string {
  const p = text.trim().replace(/\/+$/, '');
  if (p !== '.' && !p.startsWith('./')) throw new DdfError('malformed', `<Path>${text}</Path> does not start at the root "."`, where);
  if (p.split('/').some((s, i) => s === '' || (i > 0 && (s === '.' || s === '..')))) {
    throw new DdfError('malformed', `<Path>${text}</Path> is not a node path`, where);
  }
  return p;
}

function parseProperties(el: XmlElement, path: string, warn: (m: string) => void): DdfProperties {
  const accessEl = omaChildren(el, 'AccessType')[0];
  if (!accessEl) throw new DdfError('malformed', '<DFProperties> has no <AccessType>', path);
  const access = new Set<DdfAccessType>();
  for (const a of childElements(accessEl)) {
    if (!(DDF_ACCESS_TYPES as readonly string[]).includes(a.local)) throw new DdfError('malformed', `unknown access type <${a.local}>`, path);
    access.add(a.local as DdfAccessType);
  }
  const format = choice(el, 'DFFormat', DDF_FORMATS, path) as DdfFormat | undefined;
  if (!format) throw new DdfError('malformed', '<DFProperties> has no <DFFormat>', path);
  const scope = choice(el, 'Scope', ['Permanent', 'Dynamic'], path) as DdfProperties['scope'] | undefined;
  const caseSense = choice(el, 'CaseSense', ['CS', 'CIS'], path) as DdfProperties['caseSense'];
  const dfType = omaChildren(el, 'DFType')[0];
  const mimeTypes = dfType ? omaChildren(dfType, 'MIME').map((m) => rawText(m).trim()).filter((m) => m !== '') : [];
  const ddfNameEl = dfType ? omaChildren(dfType, 'DDFName')[0] : undefined;
  const ddfName = ddfNameEl ? rawText(ddfNameEl).trim() : '';
  const allowedEl = msftChild(el, 'AllowedValues');
  const allowedValues = allowedEl ? parseAllowedValues(allowedEl, warn) : undefined;
  const deprecatedEl = msftChild(el, 'Deprecated');
  const props: DdfProperties = {
    accessTypes: DDF_ACCESS_TYPES.filter((a) => access.has(a)),
    format,
    occurrence: parseOccurrence(el, path),
    // TND 1.2 §3.2: "A Node is dynamic if the DDF property Scope is set to Dynamic, or if the Scope property is unspecified."
    scope: scope ?? 'Dynamic',
    mimeTypes,
    atomicRequired: msftChild(el, 'AtomicRequired') !== undefined,
  };
  const description = omaText(el, 'Description');
  if (description) props.description = description;
  const title = omaText(el, 'DFTitle');
  if (title) props.title = title;
  const defaultEl = omaChildren(el, 'DefaultValue')[0];
  if (defaultEl) props.defaultValue = rawText(defaultEl).trim();
  if (ddfName) props.ddfName = ddfName;
  if (caseSense) props.caseSense = caseSense;
  const applicability = parseApplicability(msftChild(el, 'Applicability'));
  if (applicability) props.applicability = applicability;
  const naming = parseNaming(msftChild(el, 'DynamicNodeNaming'), path);
  if (naming) props.dynamicNaming = naming;
  if (allowedValues) props.allowedValues = allowedValues;
  const replace = msftText(el, 'ReplaceBehavior');
  if (replace === 'Append' || replace === 'Replace') props.replaceBehavior = replace;
  else if (replace) warn(`unknown ReplaceBehavior "${replace}"`);
  const reboot = msftText(el, 'RebootBehavior');
  if (reboot) props.rebootBehavior = reboot;
  const conflict = msftText(el, 'ConflictResolution');
  if (conflict) props.conflictResolution = conflict;
  if (deprecatedEl) {
    const build = attr(deprecatedEl, 'OsBuildDeprecated');
    props.deprecated = build ? { osBuildDeprecated: build } : {};
  }
  const dependencies = parseDependencies(msftChild(el, 'DependencyBehavior'));
  if (dependencies) props.dependencies = dependencies;
  return props;
}

/** The one child element of a choice element (<DFFormat><chr/></DFFormat>), checked against the allowed names. */
function choice(el: XmlElement, local: string, allowed: readonly string[], path: string): string | undefined {
  const holder = omaChildren(el, local)[0];
  if (!holder) return undefined;
  const picked = childElements(holder);
  if (picked.length !== 1) throw new DdfError('malformed', `<${local}> must hold exactly one element`, path);
  const name = picked[0]!.local;
  if (!allowed.includes(name)) throw new DdfError('malformed', `unknown <${local}> value <${name}>`, path);
  return name;
}

function parseOccurrence(el: XmlElement, path: string): DdfOccurrence {
  const holder = omaChildren(el, 'Occurrence')[0];
  // Without Occurrence a node occurs exactly once (TND 1.2 DDF DTD default).
  if (!holder) return { kind: 'One' };
  const kind = choice(el, 'Occurrence', ['One', 'ZeroOrOne', 'ZeroOrMore', 'OneOrMore', 'ZeroOrN', 'OneOrN'], path)!;
  if (kind === 'ZeroOrN' || kind === 'OneOrN') {
    const n = rawText(childElements(holder)[0]!).trim();
    if (n === '') return { kind };
    if (!/^\d+$/.test(n) || Number(n) < 1) throw new DdfError('malformed', `<${kind}>${n}</${kind}> is not a count`, path);
    return { kind, max: Number(n) };
  }
  return { kind } as DdfOccurrence;
}

function parseApplicability(el: XmlElement | undefined): DdfApplicability | undefined {
  if (!el) return undefined;
  const out: DdfApplicability = {};
  const os = msftText(el, 'OsBuildVersion');
  if (os) out.osBuildVersion = os;
  const csp = msftText(el, 'CspVersion');
  if (csp) out.cspVersion = csp;
  const editions = msftText(el, 'EditionAllowList');
  if (editions) {
    out.editionAllowList = editions
      .split(';')
      .map((e) => e.trim())
      .filter((e) => /^0x[0-9a-f]+$/i.test(e))
      .map((e) => parseInt(e.slice(2), 16));
  }
  if (msftChild(el, 'RequiresAzureAd')) out.requiresAzureAd = true;
  return out;
}

function parseNaming(el: XmlElement | undefined, path: string): DdfDynamicNaming | undefined {
  if (!el) return undefined;
  const picked = childElements(el);
  if (picked.length !== 1) throw new DdfError('malformed', '<MSFT:DynamicNodeNaming> must hold exactly one element', path);
  const kind = picked[0]!.local;
  if (kind === 'ServerGeneratedUniqueIdentifier' || kind === 'ClientInventory') return { kind };
  if (kind === 'UniqueName') return { kind, text: rawText(picked[0]!).trim() };
  throw new DdfError('malformed', `unknown dynamic node naming <${kind}>`, path);
}

function parseDependencies(el: XmlElement | undefined): DdfDependencyGroup[] | undefined {
  if (!el) return undefined;
  return msftChildren(el, 'DependencyGroup').map((g) => ({
    friendlyId: attr(g, 'FriendlyId') ?? '',
    dependencies: msftChildren(g, 'Dependency').map((d) => ({ type: attr(d, 'Type') ?? '', uri: msftText(d, 'DependencyUri') ?? '' })),
  }));
}

// Standard DDF elements carry no namespace; Microsoft's extensions live in MSFT_DM_NS. A file that
// forgets to declare the MSFT prefix still reads (the XML layer gives undeclared prefixes a
// recognisable namespace).
const isMsft = (el: XmlElement) => el.ns === MSFT_DM_NS || el.ns.toLowerCase() === `${UNBOUND_PREFIX_NS}msft`;
const omaChildren = (el: XmlElement, local: string) => childElements(el, local).filter((c) => !isMsft(c));
const msftChildren = (el: XmlElement, local: string) => childElements(el, local).filter(isMsft);
const msftChild = (el: XmlElement, local: string) => msftChildren(el, local)[0];

function omaText(el: XmlElement, local: string): string | undefined {
  const c = omaChildren(el, local)[0];
  return c ? rawText(c).trim() : undefined;
}

function msftText(el: XmlElement, local: string): string | undefined {
  const c = msftChild(el, local);
  return c ? rawText(c).trim() : undefined;
}
