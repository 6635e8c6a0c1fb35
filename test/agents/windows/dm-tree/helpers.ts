import path from 'node:path';
import {
  DmTree,
  loadWindowsDmSchema,
  type DmCommand,
  type DmCommandStatus,
  type DmItem,
  type DmSchema,
  type DmTreeOptions,
} from '../../../../agents/windows/dm-tree/index.js';
import { windowsSpecs } from '../../../protocol/windows/fixtures.js';

/** Microsoft's DDF files in this workspace (read at run time, never copied into the repository). */
export const DDF_DIR = path.join(windowsSpecs, 'ddf');

let shared: DmSchema | undefined;
/** The schema built from every DDF file, once for the test file (as a process builds it once for its devices). */
export function ddfSchema(): DmSchema {
  shared ??= loadWindowsDmSchema({ directory: DDF_DIR }).schema;
  return shared;
}

export function newTree(options?: DmTreeOptions): DmTree {
  return new DmTree(ddfSchema(), options);
}

export const GUID = '{C556E16F-56C4-4EDB-9C64-D9469EE1FBE0}';
export const GUID2 = '{0A3F2D10-1234-4ABC-8DEF-001122334455}';
export const enc = (guid: string): string => encodeURIComponent(guid);
export const USER_ACCOUNTS = './User/Vendor/MSFT/ActiveSync/Accounts';
export const DEVICE_ACCOUNTS = './Vendor/MSFT/ActiveSync/Accounts';
export const userAccount = (guid = GUID): string => `${USER_ACCOUNTS}/${enc(guid)}`;
export const deviceAccount = (guid = GUID): string => `${DEVICE_ACCOUNTS}/${enc(guid)}`;
export const EMAIL_TYPE = '{c6d47067-6e92-480e-b0fc-4ba82182fac7}';

let nextId = 1;
const id = (): string => String(nextId++);

export const add = (target: string, data?: string, format?: string): DmCommand => ({ kind: 'Add', cmdId: id(), items: [item(target, data, format)] });
export const replace = (target: string, data?: string, format?: string): DmCommand => ({ kind: 'Replace', cmdId: id(), items: [item(target, data, format)] });
export const del = (target: string): DmCommand => ({ kind: 'Delete', cmdId: id(), items: [{ target }] });
export const get = (...targets: string[]): DmCommand => ({ kind: 'Get', cmdId: id(), items: targets.map((target) => ({ target })) });
export const exec = (target: string, data?: string): DmCommand => ({ kind: 'Exec', cmdId: id(), items: [item(target, data)] });
export const atomic = (...commands: DmCommand[]): DmCommand => ({ kind: 'Atomic', cmdId: id(), commands });
export const sequence = (...commands: DmCommand[]): DmCommand => ({ kind: 'Sequence', cmdId: id(), commands });

function item(target: string, data?: string, format?: string): DmItem {
  return { target, ...(data !== undefined ? { data } : {}), ...(format !== undefined ? { format } : {}) };
}

/** Runs one command and returns its status. */
export function run(tree: DmTree, command: DmCommand): DmCommandStatus {
  return tree.execute([command])[0]!;
}

/** The Add commands a server sends for a complete Exchange account (inside one Atomic). */
export function accountAdds(account: string, o: { email?: string; host?: string; user?: string; name?: string } = {}): DmCommand[] {
  return [
    add(account, undefined, 'node'),
    add(`${account}/EmailAddress`, o.email ?? 'alice@contoso.com'),
    add(`${account}/ServerName`, o.host ?? 'mail.contoso.com'),
    add(`${account}/UserName`, o.user ?? 'alice'),
    add(`${account}/AccountName`, o.name ?? 'Corp mail'),
    add(`${account}/AccountType`, 'Exchange'),
    add(`${account}/Options/UseSSL`, '1'),
    add(`${account}/Options/MailAgeFilter`, '3'),
    add(`${account}/Options/ContentTypes/${enc(EMAIL_TYPE)}/Enabled`, '1'),
  ];
}

/** Codes of a status and its children, depth first: [Atomic, child1, child2, …]. */
export function codes(s: DmCommandStatus): number[] {
  return [s.code, ...(s.children ?? []).flatMap(codes)];
}
