/**
 * The inventory queries MDM servers send a device in its first minutes (their requests; the
 * answers are the device's own), from Apple's device-management schemas (apple/device-management,
 * mdm/commands/*.yaml):
 *
 * | RequestType | schema | access right (com.apple.mdm AccessRights) | answer key |
 * |---|---|---|---|
 * | DeviceInformation | information.device.yaml | "Special Case": per queried key, below | QueryResponses (dict) |
 * | SecurityInfo | information.security.yaml | AllowQuerySecurity (1024) | SecurityInfo (dict) |
 * | InstalledApplicationList | application.installed.list.yaml | AllowQueryApplications (256) | InstalledApplicationList (array) |
 * | CertificateList | certificate.list.yaml | AllowInspection (1) | CertificateList (array) |
 * | ProvisioningProfileList | profile.provisioning.list.yaml | AllowProvProfileInspection (64) | ProvisioningProfileList (array) |
 * | ManagedApplicationList | application.managed.list.yaml | AllowAppInstallation (4096) | ManagedApplicationList (dict) |
 *
 * ProfileList, InstallProfile and RemoveProfile are command.ts. Decoding distinguishes, as
 * command.ts does, a missing or mistyped key (the device answers CommandFormatError) and carries
 * the CommandUUID so the device can answer at all.
 */

import { AppleProtocolError } from './errors.js';
import { encodePlist } from './plist-codec.js';
import { DictReader, isString } from './plist-read.js';
import type { PlistDict } from './plist-types.js';

export interface DeviceInformationRequest {
  RequestType: 'DeviceInformation';
  /** The keys asked for; the device answers those it knows and may tell (QueryResponses). */
  Queries: string[];
}
export interface SecurityInfoRequest {
  RequestType: 'SecurityInfo';
}
export interface InstalledApplicationListRequest {
  RequestType: 'InstalledApplicationList';
  /** Only these bundle identifiers (iOS 7+). */
  Identifiers?: string[];
  /** Only managed apps (iOS 7+). */
  ManagedAppsOnly?: boolean;
  /** Only these keys of each item, Identifier always included (iOS 14+). */
  Items?: string[];
}
export interface CertificateListRequest {
  RequestType: 'CertificateList';
  /** Only certificates MDM installed or that came with the MDM payload (iOS 13+). */
  ManagedOnly?: boolean;
}
export interface ProvisioningProfileListRequest {
  RequestType: 'ProvisioningProfileList';
}
export interface ManagedApplicationListRequest {
  RequestType: 'ManagedApplicationList';
  Identifiers?: string[];
}

export type QueryRequest =
  | DeviceInformationRequest
  | SecurityInfoRequest
  | InstalledApplicationListRequest
  | CertificateListRequest
  | ProvisioningProfileListRequest
  | ManagedApplicationListRequest;
export type QueryRequestType = QueryRequest['RequestType'];

export const QUERY_REQUEST_TYPES: readonly QueryRequestType[] = [
  'DeviceInformation',
  'SecurityInfo',
  'InstalledApplicationList',
  'CertificateList',
  'ProvisioningProfileList',
  'ManagedApplicationList',
];

export function isQueryRequestType(type: string): type is QueryRequestType {
  return (QUERY_REQUEST_TYPES as readonly string[]).includes(type);
}

/** AccessRights bit each query needs (0: DeviceInformation, whose keys each have their own; DEVICE_INFORMATION_KEYS). */
export const QUERY_ACCESS_RIGHT: Readonly<Record<QueryRequestType, number>> = {
  DeviceInformation: 0,
  SecurityInfo: 1024,
  InstalledApplicationList: 256,
  CertificateList: 1,
  ProvisioningProfileList: 64,
  ManagedApplicationList: 4096,
};

/** How Apple types an answer value (the schemas' `type`). */
export type PlistTypeName = 'string' | 'integer' | 'real' | 'boolean' | 'date' | 'data' | 'array' | 'dictionary';

/**
 * The DeviceInformation keys of an iOS device channel (information.device.yaml: keys not marked
 * `introduced: n/a` for iOS, nor user-channel or Shared-iPad-only), each with the access right its
 * answer needs (0: none, "n/a" in the schema; 16 AllowQueryDeviceInformation; 32
 * AllowQueryNetworkInformation; 4096 AllowAppInstallation) and its type in QueryResponses.
 * A key the device does not know, or may not tell, is left out of QueryResponses, not an error.
 */
export const DEVICE_INFORMATION_KEYS: Readonly<Record<string, { right: number; type: PlistTypeName }>> = {
  UDID: { right: 0, type: 'string' },
  OrganizationInfo: { right: 0, type: 'dictionary' },
  MDMOptions: { right: 0, type: 'dictionary' },
  AwaitingConfiguration: { right: 0, type: 'boolean' },
  LastCloudBackupDate: { right: 0, type: 'date' },
  iTunesStoreAccountIsActive: { right: 4096, type: 'boolean' },
  iTunesStoreAccountHash: { right: 4096, type: 'string' },
  DeviceName: { right: 16, type: 'string' },
  OSVersion: { right: 16, type: 'string' },
  BuildVersion: { right: 16, type: 'string' },
  ModelName: { right: 16, type: 'string' },
  Model: { right: 16, type: 'string' },
  ProductName: { right: 16, type: 'string' },
  SerialNumber: { right: 16, type: 'string' },
  DeviceCapacity: { right: 16, type: 'real' },
  AvailableDeviceCapacity: { right: 16, type: 'real' },
  IMEI: { right: 16, type: 'string' },
  MEID: { right: 16, type: 'string' },
  ModemFirmwareVersion: { right: 16, type: 'string' },
  CellularTechnology: { right: 16, type: 'integer' },
  BatteryLevel: { right: 16, type: 'real' },
  IsSupervised: { right: 16, type: 'boolean' },
  IsMultiUser: { right: 16, type: 'boolean' },
  IsDeviceLocatorServiceEnabled: { right: 16, type: 'boolean' },
  IsActivationLockEnabled: { right: 16, type: 'boolean' },
  IsDoNotDisturbInEffect: { right: 16, type: 'boolean' },
  EASDeviceIdentifier: { right: 16, type: 'string' },
  IsCloudBackupEnabled: { right: 16, type: 'boolean' },
  IsMDMLostModeEnabled: { right: 16, type: 'boolean' },
  DiagnosticSubmissionEnabled: { right: 16, type: 'boolean' },
  AppAnalyticsEnabled: { right: 16, type: 'boolean' },
  TimeZone: { right: 16, type: 'string' },
  SoftwareUpdateDeviceID: { right: 0, type: 'string' },
  BluetoothMAC: { right: 32, type: 'string' },
  WiFiMAC: { right: 32, type: 'string' },
  ICCID: { right: 32, type: 'string' },
  CurrentCarrierNetwork: { right: 32, type: 'string' },
  SubscriberCarrierNetwork: { right: 32, type: 'string' },
  CarrierSettingsVersion: { right: 32, type: 'string' },
  PhoneNumber: { right: 32, type: 'string' },
  DataRoamingEnabled: { right: 32, type: 'boolean' },
  VoiceRoamingEnabled: { right: 32, type: 'boolean' },
  PersonalHotspotEnabled: { right: 32, type: 'boolean' },
  IsNetworkTethered: { right: 32, type: 'boolean' },
  IsRoaming: { right: 32, type: 'boolean' },
  SubscriberMCC: { right: 32, type: 'string' },
  SubscriberMNC: { right: 32, type: 'string' },
  CurrentMCC: { right: 32, type: 'string' },
  CurrentMNC: { right: 32, type: 'string' },
};

/** An envelope with a query in it. */
export interface QueryCommand {
  CommandUUID: string;
  Command: QueryRequest;
}

/** Decode a query command dict (device side). Throws AppleProtocolError carrying the CommandUUID. */
export function decodeQueryCommand(dict: PlistDict): QueryCommand {
  const top = new DictReader(dict, '', 'command');
  const CommandUUID = top.nonEmptyString('CommandUUID');
  try {
    const r = top.child('Command');
    const type = r.string('RequestType');
    const strings = (key: string) => r.optTypedArray(key, 'a string', isString);
    switch (type) {
      case 'DeviceInformation':
        return { CommandUUID, Command: { RequestType: type, Queries: r.optTypedArray('Queries', 'a string', isString) ?? missing('Command.Queries') } };
      case 'SecurityInfo':
      case 'ProvisioningProfileList':
        return { CommandUUID, Command: { RequestType: type } };
      case 'InstalledApplicationList': {
        const c: InstalledApplicationListRequest = { RequestType: type };
        const identifiers = strings('Identifiers');
        const managedOnly = r.optBoolean('ManagedAppsOnly');
        const items = strings('Items');
        if (identifiers !== undefined) c.Identifiers = identifiers;
        if (managedOnly !== undefined) c.ManagedAppsOnly = managedOnly;
        if (items !== undefined) c.Items = items;
        return { CommandUUID, Command: c };
      }
      case 'CertificateList': {
        const managedOnly = r.optBoolean('ManagedOnly');
        return { CommandUUID, Command: managedOnly === undefined ? { RequestType: type } : { RequestType: type, ManagedOnly: managedOnly } };
      }
      case 'ManagedApplicationList': {
        const identifiers = strings('Identifiers');
        return { CommandUUID, Command: identifiers === undefined ? { RequestType: type } : { RequestType: type, Identifiers: identifiers } };
      }
      default:
        throw new AppleProtocolError('unknownRequestType', `unknown RequestType "${type}"`, { key: 'Command.RequestType' });
    }
  } catch (err) {
    if (err instanceof AppleProtocolError && err.commandUuid === undefined) {
      throw new AppleProtocolError(err.code, `${err.message} (CommandUUID ${CommandUUID})`, {
        ...(err.key === undefined ? {} : { key: err.key }),
        commandUuid: CommandUUID,
        cause: err,
      });
    }
    throw err;
  }
}

function missing(key: string): never {
  throw new AppleProtocolError('missingKey', `command: ${key} is required`, { key });
}

/** The command body a server sends (tests, tools). */
export function encodeQueryCommand(cmd: QueryCommand): string {
  const { RequestType, ...keys } = cmd.Command;
  return encodePlist({ Command: { RequestType, ...keys }, CommandUUID: cmd.CommandUUID });
}
