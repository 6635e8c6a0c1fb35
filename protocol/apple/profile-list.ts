/**
 * Items of the ProfileList command's response (Apple YAML mdm/commands/profile.list.yaml,
 * responsekeys.ProfileList; Apple Developer, "Profile List" command).
 */

import type { PlistInputDict } from './plist-types.js';
import { DictReader, isData } from './plist-read.js';

/** One payload of an installed profile as ProfileList reports it. */
export interface ProfileListPayloadItem {
  PayloadType: string;
  PayloadVersion: number;
  PayloadIdentifier: string;
  /** Required by the YAML but only sent by iOS 17+ (supportedOS iOS 17.0): optional on decode. */
  PayloadUUID?: string;
  PayloadDisplayName?: string;
  PayloadDescription?: string;
  PayloadOrganization?: string;
}

/** One installed profile as ProfileList reports it. */
export interface ProfileListItem {
  PayloadIdentifier: string;
  PayloadUUID: string;
  PayloadVersion?: number;
  PayloadDisplayName?: string;
  PayloadOrganization?: string;
  PayloadDescription?: string;
  PayloadRemovalDisallowed?: boolean;
  HasRemovalPasscode?: boolean;
  IsEncrypted?: boolean;
  /** Whether this MDM installed it; "not returned for supervised devices" (YAML). */
  IsManaged?: boolean;
  /** Signer certificate then intermediates, DER. */
  SignerCertificates?: Buffer[];
  /** iOS 18: "Declarative Device Management" for DDM-managed profiles. */
  Source?: string;
  /** Absent when IsEncrypted. */
  PayloadContent?: ProfileListPayloadItem[];
}

export function decodeProfileListItem(r: DictReader): ProfileListItem {
  const item: ProfileListItem = { PayloadIdentifier: r.string('PayloadIdentifier'), PayloadUUID: r.string('PayloadUUID') };
  const version = r.optInteger('PayloadVersion');
  if (version !== undefined) item.PayloadVersion = version;
  for (const key of ['PayloadDisplayName', 'PayloadOrganization', 'PayloadDescription', 'Source'] as const) {
    const v = r.optString(key);
    if (v !== undefined) item[key] = v;
  }
  for (const key of ['PayloadRemovalDisallowed', 'HasRemovalPasscode', 'IsEncrypted', 'IsManaged'] as const) {
    const v = r.optBoolean(key);
    if (v !== undefined) item[key] = v;
  }
  const signers = r.optTypedArray('SignerCertificates', 'data', isData);
  if (signers !== undefined) item.SignerCertificates = signers;
  const content = r.optDictArray('PayloadContent');
  if (content !== undefined) item.PayloadContent = content.map(decodePayloadItem);
  return item;
}

function decodePayloadItem(r: DictReader): ProfileListPayloadItem {
  const p: ProfileListPayloadItem = {
    PayloadType: r.string('PayloadType'),
    PayloadVersion: r.integer('PayloadVersion'),
    PayloadIdentifier: r.string('PayloadIdentifier'),
  };
  for (const key of ['PayloadUUID', 'PayloadDisplayName', 'PayloadDescription', 'PayloadOrganization'] as const) {
    const v = r.optString(key);
    if (v !== undefined) p[key] = v;
  }
  return p;
}

export function profileListItemToPlist(item: ProfileListItem): PlistInputDict {
  return {
    PayloadIdentifier: item.PayloadIdentifier,
    PayloadUUID: item.PayloadUUID,
    PayloadVersion: item.PayloadVersion,
    PayloadDisplayName: item.PayloadDisplayName,
    PayloadOrganization: item.PayloadOrganization,
    PayloadDescription: item.PayloadDescription,
    PayloadRemovalDisallowed: item.PayloadRemovalDisallowed,
    HasRemovalPasscode: item.HasRemovalPasscode,
    IsEncrypted: item.IsEncrypted,
    IsManaged: item.IsManaged,
    SignerCertificates: item.SignerCertificates,
    Source: item.Source,
    PayloadContent: item.PayloadContent?.map((p) => ({
      PayloadType: p.PayloadType,
      PayloadVersion: p.PayloadVersion,
      PayloadIdentifier: p.PayloadIdentifier,
      PayloadUUID: p.PayloadUUID,
      PayloadDisplayName: p.PayloadDisplayName,
      PayloadDescription: p.PayloadDescription,
      PayloadOrganization: p.PayloadOrganization,
    })),
  };
}
