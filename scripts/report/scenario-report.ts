import type { SimulatedDevice } from '../../agents/device.js';
import { newReport, type MailAccountView, type Report, type ReportKind, type ScenarioSection } from '../../agents/report/report-model.js';
import { mailStoreView, scenarioSection, type DeviceStores } from '../../agents/report/scenario-section.js';
import type { ScenarioResult, StepResult } from '../../agents/scenario/runner.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import { packageVersion } from '../../server/version.js';

/**
 * Watches the mail stores of a scenario run's devices through the runner's step callback: the
 * picture after the setup step (the hand-made accounts are on the devices, nothing else happened)
 * is "before", the picture after each later step is the latest, and the one after the last step is
 * "after". What `mdmlab scenario run --report` and the demo put in the report's scenario section.
 */
export class MailStoreRecorder {
  readonly #devices: SimulatedDevice[] = [];
  readonly #before = new Map<string, MailAccountView[]>();
  readonly #latest = new Map<string, MailAccountView[]>();

  /** Hands the device back, so it wraps the runner's `createDevice` (scripts/scenario.ts). */
  track(device: SimulatedDevice): SimulatedDevice {
    this.#devices.push(device);
    return device;
  }

  get devices(): readonly SimulatedDevice[] {
    return this.#devices;
  }

  /**
   * Reads every device's store as `step` left it (the runner waits for this before the next
   * step); answers the devices whose store changed since the last look. A store that cannot be
   * read (a device that never came up) counts as empty.
   */
  async afterStep(step: StepResult): Promise<{ device: SimulatedDevice; accounts: MailAccountView[] }[]> {
    const changed: { device: SimulatedDevice; accounts: MailAccountView[] }[] = [];
    for (const device of this.#devices) {
      const accounts = await mailStoreView(device).catch(() => []);
      if (step.kind === 'setup') this.#before.set(device.id, accounts);
      const previous = this.#latest.get(device.id);
      if (!previous || JSON.stringify(previous) !== JSON.stringify(accounts)) changed.push({ device, accounts });
      this.#latest.set(device.id, accounts);
    }
    return changed;
  }

  /** Before and after per device, the server's profile ids turned into the file's refs. */
  stores(ids: ScenarioResult['ids']): DeviceStores[] {
    const refOf = new Map(Object.entries(ids?.emailProfiles ?? {}).map(([ref, id]) => [id, ref]));
    const named = (list: MailAccountView[] | undefined) => (list ?? []).map((a) => (a.profile && refOf.has(a.profile) ? { ...a, profile: refOf.get(a.profile)! } : a));
    return this.#devices.map((d) => ({ id: d.id, platform: d.platform, hardwareId: d.hardwareId, before: named(this.#before.get(d.id)), after: named(this.#latest.get(d.id)) }));
  }

  section(result: ScenarioResult, description: string | undefined, extra: { platform?: DevicePlatform; verdict?: string; cases?: ScenarioSection['cases'] } = {}): ScenarioSection {
    return scenarioSection({ ...result, ...(description ? { description } : {}) }, this.stores(result.ids), extra);
  }
}

/** The report of a run made of stories (one scenario file, or the demo's four). */
export function storiesReport(
  kind: Extract<ReportKind, 'scenario' | 'demo'>,
  title: string,
  stories: ScenarioSection[],
  run: { startedAt: number; endedAt: number; exitCode: number; interrupted: boolean; endReason: string; parameters: Record<string, unknown>; seed?: string },
): Report {
  return {
    ...newReport(
      kind,
      title,
      {
        startedAt: new Date(run.startedAt).toISOString(),
        endedAt: new Date(run.endedAt).toISOString(),
        elapsedMs: run.endedAt - run.startedAt,
        endReason: run.endReason,
        interrupted: run.interrupted,
        exitCode: run.exitCode,
        parameters: run.parameters,
        ...(run.seed !== undefined ? { seed: run.seed } : {}),
      },
      packageVersion(),
    ),
    scenarios: stories,
  };
}
