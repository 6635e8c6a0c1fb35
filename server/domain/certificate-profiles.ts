import { X509Certificate, createHash } from 'node:crypto';
import type { CertificateProfileKind, DevicePlatform } from '../../protocol/admin/platforms.js';
import { MdmlabError, notFound } from '../errors/mdmlab-error.js';
import { StoreConflict, type Repositories } from '../store/port.js';
import type { CertificateProfileRecord, DeviceRecord, ScepSettings } from '../store/records.js';
import { isoNow, type DomainContext } from './context.js';
import type { Reconciler } from './reconciler.js';
import { CreateCertificateProfile } from './schemas.js';
import { parseBody } from './validate.js';

interface Input {
  name: string;
  kind: CertificateProfileKind;
  platform: DevicePlatform;
  subject?: string;
  keySize?: ScepSettings['keySize'];
  validityDays?: number;
  pem?: string;
}

const SCEP_ONLY = ['subject', 'keySize', 'validityDays'] as const;
const DEFAULT_SUBJECT = 'CN={{upn}}';

/**
 * Certificate profiles: a SCEP identity (certificate authentication, S/MIME signing) or a trusted
 * root (the Exchange server's CA, which KNOX needs for SSL). Immutable once created: email
 * profiles point at them, so a different certificate is a new profile.
 */
export class CertificateProfileService {
  constructor(
    private readonly ctx: DomainContext,
    private readonly reconciler?: Reconciler,
  ) {}

  async create(body: unknown): Promise<CertificateProfileRecord> {
    const input = parseBody<Input>(CreateCertificateProfile, body);
    const at = isoNow(this.ctx);
    const record: CertificateProfileRecord = {
      id: this.ctx.newId('crt'),
      name: input.name,
      kind: input.kind,
      platform: input.platform,
      createdAt: at,
      updatedAt: at,
    };
    if (input.kind === 'scep') {
      if (input.pem !== undefined) throw new MdmlabError('validationFailed', 'pem is a setting of trustedRoot profiles only', 'pem');
      record.scep = {
        subject: input.subject ?? DEFAULT_SUBJECT,
        keySize: input.keySize ?? 2048,
        validityDays: input.validityDays ?? 365,
      };
      checkSubject(record.scep.subject);
    } else {
      for (const key of SCEP_ONLY) {
        if (input[key] !== undefined) throw new MdmlabError('validationFailed', `${key} is a setting of scep profiles only`, key);
      }
      if (input.pem === undefined) throw new MdmlabError('missingField', 'pem is required for trustedRoot profiles', 'pem');
      record.trustedRoot = parseRoot(input.pem);
    }
    try {
      const toWake = await this.ctx.store.transaction(async (tx) => {
        await tx.certificateProfiles.insert(record);
        return this.trustChanged(tx, record, at);
      });
      await this.reconciler?.wake(toWake);
    } catch (err) {
      if (err instanceof StoreConflict) throw new MdmlabError('nameTaken', 'a certificate profile with this name already exists', 'name');
      throw err;
    }
    return record;
  }

  list(): Promise<CertificateProfileRecord[]> {
    return this.ctx.store.certificateProfiles.list();
  }

  async get(id: string): Promise<CertificateProfileRecord> {
    const p = await this.ctx.store.certificateProfiles.get(id);
    if (!p) throw notFound('certificate profile', id);
    return p;
  }

  async delete(id: string): Promise<void> {
    const at = isoNow(this.ctx);
    const toWake = await this.ctx.store.transaction(async (tx) => {
      const record = await tx.certificateProfiles.get(id);
      if (!record) throw notFound('certificate profile', id);
      const users = await tx.emailProfiles.referencing(id);
      if (users.length > 0) throw new MdmlabError('inUse', `email profile(s) ${users.join(', ')} use this certificate profile`);
      await tx.certificateProfiles.delete(id);
      return this.trustChanged(tx, record, at);
    });
    await this.reconciler?.wake(toWake);
  }

  /**
   * A trusted root is not deployed: a channel whose devices pull one document (the Android policy's
   * CA certificates, and the KNOX rule that useSsl needs the Exchange server's certificate) puts
   * every root of the platform in it. So its enrolled devices are reconciled when one comes or goes,
   * in the same transaction; for queue channels this changes nothing.
   */
  private async trustChanged(tx: Repositories, record: CertificateProfileRecord, at: string): Promise<DeviceRecord[]> {
    if (record.kind !== 'trustedRoot' || !this.reconciler) return [];
    const devices = await tx.devices.list({ platform: record.platform, status: 'enrolled' });
    return (await this.reconciler.reconcile(tx, devices.map((d) => d.id), at)).toWake;
  }
}

/** `CN=…,O=…` with known attribute names, so devices can put it in a CSR as is. */
function checkSubject(subject: string): void {
  const parts = subject.split(',').map((p) => p.trim());
  for (const part of parts) {
    const m = /^(CN|O|OU|C|L|ST|E|emailAddress|serialNumber|DC|UID)=(.+)$/.exec(part);
    if (!m) throw new MdmlabError('validationFailed', `subject part "${part}" is not NAME=value with a known attribute name`, 'subject');
  }
}

function parseRoot(pem: string): NonNullable<CertificateProfileRecord['trustedRoot']> {
  const trimmed = pem.trim();
  if (!/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(trimmed)) {
    throw new MdmlabError('invalidCertificate', 'pem must hold exactly one PEM certificate', 'pem');
  }
  try {
    const cert = new X509Certificate(trimmed);
    return {
      pem: `${trimmed}\n`,
      fingerprintSha256: createHash('sha256').update(cert.raw).digest('hex'),
      subject: cert.subject.replace(/\n/g, ','),
    };
  } catch {
    throw new MdmlabError('invalidCertificate', undefined, 'pem');
  }
}
