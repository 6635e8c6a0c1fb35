import type { SimulatedDevice } from '../device.js';
import type { MailAccount } from '../core/mail-account.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import type { MailAccountView, ScenarioSection, ScenarioStepView } from './report-model.js';

/**
 * The scenario part of the report model: what `mdmlab scenario run --report DIR` and the demo write
 * for one played story — its steps and expectations with pass / fail, and each device's mail store
 * before the first step and after the last. Its inputs are structural, so the scenario runner's
 * own result (agents/scenario/runner.ts ScenarioResult) fits as it is.
 */

/** What a played scenario hands over (ScenarioResult has these fields). */
export interface PlayedScenario {
  name: string;
  description?: string;
  ok: boolean;
  exitCode: number;
  interrupted?: boolean;
  message?: string;
  steps: readonly {
    path: string;
    line?: number;
    kind: string;
    summary: string;
    ok: boolean;
    ms: number;
    error?: string;
    notes?: string[];
    failures: readonly { what: string; expected: unknown; found: unknown }[];
  }[];
}

export interface DeviceStores {
  id: string;
  platform: DevicePlatform;
  hardwareId?: string;
  before: MailAccountView[];
  after: MailAccountView[];
}

export function scenarioSection(played: PlayedScenario, devices: readonly DeviceStores[], extra: { platform?: DevicePlatform; verdict?: string; cases?: ScenarioSection['cases'] } = {}): ScenarioSection {
  return {
    name: played.name,
    ...(played.description ? { description: played.description } : {}),
    ...extra,
    ok: played.ok,
    exitCode: played.exitCode,
    ...(played.interrupted ? { interrupted: true } : {}),
    ...(played.message ? { message: played.message } : {}),
    steps: played.steps.map(stepView),
    devices: devices.map((d) => ({ ...d })),
  };
}

/**
 * A device's mail store as the report shows it. `profileName` turns the server's profile id into
 * the name a reader knows (the scenario file's ref); unknown ids stay as they are.
 */
export async function mailStoreView(device: SimulatedDevice, profileName: (serverId: string) => string | undefined = () => undefined): Promise<MailAccountView[]> {
  const accounts = await device.mailAccounts();
  return accounts.map((a) => accountView(a, device.profileIdOf(a), profileName));
}

export function accountView(a: MailAccount, profileId: string | undefined, profileName: (serverId: string) => string | undefined = () => undefined): MailAccountView {
  return {
    email: a.email,
    host: a.host,
    managed: a.managed,
    ...(profileId ? { profile: profileName(profileId) ?? profileId } : {}),
    ...(a.replacedUserAccount ? { replacedUserAccount: true } : {}),
    ...(a.androidProfile ? { androidProfile: a.androidProfile } : {}),
    ...(a.app ? { app: a.app } : {}),
    ...(a.settings.accountName ? { accountName: a.settings.accountName } : {}),
  };
}

function stepView(s: PlayedScenario['steps'][number]): ScenarioStepView {
  return {
    path: s.path,
    ...(s.line !== undefined ? { line: s.line } : {}),
    kind: s.kind,
    summary: s.summary,
    ok: s.ok,
    ms: s.ms,
    ...(s.error ? { error: s.error } : {}),
    ...(s.notes?.length ? { notes: [...s.notes] } : {}),
    failures: s.failures.map((f) => ({ what: f.what, expected: f.expected, found: f.found })),
  };
}
