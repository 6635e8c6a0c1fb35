import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import type { AndroidProfile, WorkApp } from '../core/mail-account.js';

/** A scenario file after validation (docs/scenarios.md): every reference resolved to a declared name. */
export interface Scenario {
  name: string;
  description?: string;
  seed?: number;
  users: ScenarioUser[];
  groups: ScenarioGroup[];
  certificateProfiles: ScenarioCertificateProfile[];
  devices: ScenarioDevice[];
  steps: ScenarioStep[];
}

export interface ScenarioUser {
  upn: string;
  primarySmtp?: string;
  username?: string;
}

export interface ScenarioGroup {
  name: string;
  /** User upns and device ids. */
  members: string[];
}

export interface ScenarioCertificateProfile {
  ref: string;
  kind: 'scep' | 'trustedRoot';
  platform: DevicePlatform;
  subject?: string;
  keySize?: number;
  validityDays?: number;
  /** trustedRoot: the certificate; absent = the server's own CA. */
  pem?: string;
}

export interface ScenarioMailAccount {
  email: string;
  host: string;
  profile?: AndroidProfile;
}

export interface ScenarioDevice {
  id: string;
  platform: DevicePlatform;
  user: string;
  apps: WorkApp[];
  mailAccounts: ScenarioMailAccount[];
}

export interface ExpectedMailAccount {
  email: string;
  host: string;
  managed?: boolean;
  /** Profile ref of a managed account. */
  profile?: string;
  replacedUserAccount?: boolean;
  settings?: Record<string, unknown>;
}

/**
 * One command the device must have answered during the run (the optional `commands`
 * expectation, an addition to docs/scenarios.md documented in the README): what it was and, when
 * given, how the device answered and which profile it concerned.
 */
export interface ExpectedCommand {
  /** The platform's command: `InstallProfile`, `DeviceInformation`, … */
  requestType: string;
  /** The platform's own word for the answer: Apple `Acknowledged`, `Error`, `NotNow`, `CommandFormatError`. */
  status?: string;
  /** The same in neutral words. */
  outcome?: 'success' | 'failure' | 'deferred';
  /** The email profile (ref) the command concerned. */
  profile?: string;
}

export interface Expectation {
  device?: string;
  compliance?: 'compliant' | 'nonCompliant';
  profiles?: Record<string, string>;
  mailAccounts?: ExpectedMailAccount[];
  alerts?: string[];
  profileStatus?: Record<string, Record<string, number>>;
  commands?: ExpectedCommand[];
}

export type UserAction =
  | { addAccount: ScenarioMailAccount }
  | { removeAccount: { email: string; host: string } }
  | { installApp: WorkApp }
  | { checkIn: true };

interface StepBase {
  /** Position in the file, for messages: `steps[3]`. */
  path: string;
  line?: number;
}

export type ScenarioStep = StepBase &
  (
    | { kind: 'enroll' | 'unenroll' | 'offline' | 'online'; device: string }
    | { kind: 'createEmailProfile'; ref: string; settings: Record<string, unknown> }
    | { kind: 'updateEmailProfile'; profile: string; settings: Record<string, unknown>; expectError?: string }
    | { kind: 'deleteEmailProfile'; profile: string }
    | { kind: 'deploy'; profile: string; groups: string[] }
    | { kind: 'addToGroup' | 'removeFromGroup'; group: string; members: string[] }
    | { kind: 'user'; device: string; action: UserAction }
    | { kind: 'settle'; timeoutMs: number }
    | { kind: 'wait'; ms: number }
    | { kind: 'expect'; expect: Expectation }
  );

export type StepKind = ScenarioStep['kind'];
