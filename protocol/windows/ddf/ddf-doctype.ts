import { DdfError } from './ddf-error.js';

/**
 * Every DDF file Microsoft publishes starts with the OMA DDF document type declaration
 * (OMA-TS-DM_TND-V1_2 §9: `<!DOCTYPE MgmtTree PUBLIC "-//OMA//DTD-DM-DDF 1.2//EN" "…DM_DDF-V1_2.dtd"
 * [<?oma-dm-ddf-ver supported-versions="1.2"?>]>`). The XML layer refuses DTDs outright (no XXE, no
 * entity expansion), so this declaration is taken out of the text before parsing — but only that
 * declaration: the name must be MgmtTree, the external id is never fetched, and the internal subset
 * may hold nothing but processing instructions, comments and whitespace. Anything else (an ENTITY,
 * ELEMENT, ATTLIST or NOTATION declaration, a parameter-entity reference) is refused.
 *
 * The declaration is replaced by spaces (line breaks kept) so positions in later errors still match
 * the file.
 */
export function withoutDdfDoctype(source: string): string {
  const start = doctypeStart(source);
  if (start < 0) return source;
  const end = doctypeEnd(source, start);
  return source.slice(0, start) + source.slice(start, end).replace(/[^\n\r]/g, ' ') + source.slice(end);
}

// Prolog before a doctype: an optional BOM and XML declaration, then comments, PIs and whitespace.
const PROLOG_DOCTYPE = /^\uFEFF?(?:<\?xml[\s\S]*?\?>)?(?:\s|<!--[\s\S]*?-->|<\?(?!xml[\s?])[\s\S]*?\?>)*<!DOCTYPE(?=\s)/;

function doctypeStart(source: string): number {
  const m = PROLOG_DOCTYPE.exec(source);
  return m ? m[0].length - '<!DOCTYPE'.length : -1;
}

/** Index just after the declaration's closing `>`; throws unless it is the harmless OMA DDF form. */
function doctypeEnd(source: string, start: number): number {
  const refuse = (why: string): never => {
    throw new DdfError('doctypeRefused', `refused document type declaration: ${why}`);
  };
  let i = start + '<!DOCTYPE'.length;
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i]!)) i++;
  };
  const literal = () => {
    skipSpace();
    const quote = source[i];
    if (quote !== '"' && quote !== "'") refuse('expected a quoted identifier');
    const close = source.indexOf(quote!, i + 1);
    if (close < 0) refuse('unterminated identifier');
    i = close + 1;
  };
  skipSpace();
  const name = /^[A-Za-z_:][\w.:-]*/.exec(source.slice(i, i + 64))?.[0];
  if (name !== 'MgmtTree') refuse(`the root must be MgmtTree, not ${name ?? 'nothing'}`);
  i += name!.length;
  skipSpace();
  if (source.startsWith('PUBLIC', i)) {
    i += 6;
    literal();
    literal();
  } else if (source.startsWith('SYSTEM', i)) {
    i += 6;
    literal();
  }
  skipSpace();
  if (source[i] === '[') {
    i++;
    for (;;) {
      skipSpace();
      if (source[i] === ']') {
        i++;
        break;
      }
      if (source.startsWith('<?', i)) {
        const close = source.indexOf('?>', i + 2);
        if (close < 0) refuse('unterminated processing instruction');
        i = close + 2;
      } else if (source.startsWith('<!--', i)) {
        const close = source.indexOf('-->', i + 4);
        if (close < 0) refuse('unterminated comment');
        i = close + 3;
      } else {
        refuse('the internal subset may only hold processing instructions and comments');
      }
    }
    skipSpace();
  }
  if (source[i] !== '>') refuse('expected ">"');
  return i + 1;
}
