import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDdfError, parseDdf, type DdfDocument } from '../../../protocol/windows/ddf/index.js';
import { DmSchema, type DmSchemaBuildOptions } from './dm-schema.js';
import { fallbackDdfNodes } from './fallback/index.js';

/**
 * Where a simulated Windows device's node definitions come from, decided once at start-up:
 *
 * 1. `directory` (option), else the MDMLAB_WINDOWS_DDF environment variable: a folder of DDF XML
 *    files (Microsoft's DDF v2 files — Microsoft Learn, "Configuration service provider DDF files";
 *    they are not part of the repository and may not be copied into it). Named, it must exist and
 *    every file in it must parse (a wrong setting is an error, not a silent fallback).
 * 2. Neither: the hand-written fallback table (fallback/), with a warning for the caller to log.
 *
 * Parse once per process and hand the schema to every device: it is immutable and shared.
 */
export const WINDOWS_DDF_ENV = 'MDMLAB_WINDOWS_DDF';

export interface LoadWindowsDmSchemaOptions extends DmSchemaBuildOptions {
  /** A folder of DDF files; must exist. */
  directory?: string;
  /** Where MDMLAB_WINDOWS_DDF is read; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface LoadedWindowsDmSchema {
  schema: DmSchema;
  source: 'ddf' | 'fallback';
  /** The folder read (source `ddf`); undefined for the fallback table. */
  directory?: string;
  /** The files parsed, by name. */
  files: string[];
  /** For the caller's log: the fallback's reason, and what the DDF parser could not fully read. */
  warnings: string[];
}

export function loadWindowsDmSchema(options: LoadWindowsDmSchemaOptions = {}): LoadedWindowsDmSchema {
  const env = options.env ?? process.env;
  const named = options.directory ?? (env[WINDOWS_DDF_ENV] || undefined);
  const build: DmSchemaBuildOptions = options.include ? { include: options.include } : {};
  if (named === undefined) {
    return {
      schema: DmSchema.build(fallbackDdfNodes(), build),
      source: 'fallback',
      files: [],
      warnings: [
        `no DDF directory given: the Windows DM tree uses its built-in node table (ActiveSync, DMClient, DevInfo, DevDetail, DMAcc, CertificateStore only); set ${WINDOWS_DDF_ENV} to a folder of DDF files for the full tree`,
      ],
    };
  }
  const directory = path.resolve(named);
  if (!isDirectory(directory)) throw new Error(`the DDF directory ${directory} does not exist (${options.directory ? 'directory option' : WINDOWS_DDF_ENV})`);
  const files = readdirSync(directory)
    .filter((f) => f.toLowerCase().endsWith('.xml'))
    .sort();
  if (files.length === 0) throw new Error(`the DDF directory ${directory} holds no .xml file`);
  const documents: DdfDocument[] = [];
  const warnings: string[] = [];
  for (const file of files) {
    try {
      const doc = parseDdf(readFileSync(path.join(directory, file)));
      documents.push(doc);
      warnings.push(...doc.warnings.map((w) => `${file}: ${w}`));
    } catch (err) {
      if (isDdfError(err)) throw new Error(`${path.join(directory, file)}: ${err.message}`, { cause: err });
      throw err;
    }
  }
  let schema: DmSchema;
  try {
    schema = DmSchema.build(documents, build);
  } catch (err) {
    if (isDdfError(err)) throw new Error(`the DDF files in ${directory} clash: ${err.message}`, { cause: err });
    throw err;
  }
  return { schema, source: 'ddf', directory, files, warnings };
}


function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
