import type { EmailProfileDefinition } from '../../protocol/admin/email-profile-validation.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import type { ScenarioCertificateProfile } from './scenario-types.js';
import type { ValueReader } from './value-reader.js';

type Kind = 'user' | 'device' | 'group';
type Path = (string | number)[];

/**
 * The names a scenario declares, so every reference can be checked while the file is read:
 * users by UPN, devices by id, groups by name, certificate profiles and email profiles by ref
 * (an email profile ref exists from its createEmailProfile step on).
 *
 * Group names and email profile names are unique on the server regardless of case (SQLite
 * `COLLATE NOCASE`): two that differ only in case are refused here (exit 2), not by a 409 in the
 * middle of the run. References stay exact: a step names a group as it is declared, and refs and
 * device ids are the file's own names, case-sensitive.
 */
export class ScenarioRefs {
  private readonly names: Record<Kind, Set<string>> = { user: new Set(), device: new Set(), group: new Set() };
  /** Declared group names by their case-folded form. */
  private readonly groupsFolded = new Map<string, string>();
  readonly certificates = new Map<string, ScenarioCertificateProfile>();
  /** Email profile refs with their definition as the file has made it so far. */
  readonly profiles = new Map<string, { definition: EmailProfileDefinition; deleted: boolean }>();
  private readonly devicePlatforms = new Map<string, DevicePlatform>();

  constructor(private readonly r: ValueReader) {}

  declare(kind: Kind, name: string, path: Path): void {
    if (this.names[kind].has(name)) this.r.fail(path, `${kind} "${name}" is declared twice`);
    if (kind === 'group') {
      const same = this.groupsFolded.get(name.toLowerCase());
      if (same !== undefined) this.r.fail(path, `group "${name}" is declared twice: group "${same}" has the same name on the server, which ignores case`);
      this.groupsFolded.set(name.toLowerCase(), name);
    }
    this.names[kind].add(name);
  }

  require(kind: Kind, name: string, path: Path): void {
    const key = kind === 'user' ? name.toLowerCase() : name;
    if (this.names[kind].has(key)) return;
    const spelled = kind === 'group' ? this.groupsFolded.get(name.toLowerCase()) : undefined;
    this.r.fail(path, `no ${kind} "${name}" is declared in ${kind}s${spelled ? ` (a step names a group as it is declared: "${spelled}")` : ''}`);
  }

  declareDevice(id: string, platform: DevicePlatform, path: Path): void {
    this.declare('device', id, path);
    this.devicePlatforms.set(id, platform);
  }

  /** The platform of a declared device (call after require('device', …)). */
  platformOf(id: string): DevicePlatform {
    return this.devicePlatforms.get(id)!;
  }

  /** Group members are user UPNs or device ids. */
  requireMember(name: string, path: Path): void {
    if (!this.names.user.has(name.toLowerCase()) && !this.names.device.has(name)) {
      this.r.fail(path, `"${name}" is neither a declared user upn nor a declared device id`);
    }
  }

  declareCertificate(cert: ScenarioCertificateProfile, path: Path): void {
    if (this.certificates.has(cert.ref)) this.r.fail(path, `certificate profile ref "${cert.ref}" is declared twice`);
    this.certificates.set(cert.ref, cert);
  }

  certificate(ref: unknown, path: Path): ScenarioCertificateProfile {
    const cert = typeof ref === 'string' ? this.certificates.get(ref) : undefined;
    if (!cert) this.r.fail(path, `no certificate profile with ref "${String(ref)}" is declared in certificateProfiles`);
    return cert;
  }

  declareProfile(ref: string, definition: EmailProfileDefinition, path: Path, namePath: Path): void {
    if (this.profiles.has(ref)) this.r.fail(path, `email profile ref "${ref}" is created twice`);
    this.requireFreeName(definition.name, undefined, namePath);
    this.profiles.set(ref, { definition, deleted: false });
  }

  /** Profile names are unique on the server regardless of case (409 nameTaken): a file that reuses a live one is broken. */
  requireFreeName(name: string, self: string | undefined, path: Path): void {
    for (const [ref, p] of this.profiles) {
      if (ref === self || p.deleted || p.definition.name.toLowerCase() !== name.toLowerCase()) continue;
      const taken = p.definition.name;
      this.r.fail(path, `email profile "${ref}" already has the name "${taken}"${taken === name ? '' : ' (the server ignores case in names)'}`);
    }
  }

  /** A profile the step acts on: created earlier and, unless `evenDeleted`, not deleted since. */
  profile(ref: unknown, path: Path, opts: { evenDeleted?: boolean } = {}): { definition: EmailProfileDefinition; deleted: boolean } {
    const p = typeof ref === 'string' ? this.profiles.get(ref) : undefined;
    if (!p) this.r.fail(path, `no email profile "${String(ref)}" is created by an earlier createEmailProfile step`);
    if (p.deleted && !opts.evenDeleted) this.r.fail(path, `email profile "${String(ref)}" was deleted by an earlier step`);
    return p;
  }
}
