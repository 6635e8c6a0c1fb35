import { createHash, randomBytes } from 'node:crypto';
import { buildCsr } from '../../certs/csr.js';
import { generateRsaKeyPair } from '../../certs/keys.js';
import type { NameAttributeInput } from '../../certs/name.js';
import { buildPkcs12 } from '../../certs/pkcs12-build.js';
import { keyPairAliasFor } from '../../protocol/android/amapi/mdmlab-extension.js';
import type { AndroidKeyPairRecord, DeviceRecord } from '../store/records.js';
import type { AndroidContext } from './android-context.js';

/** Subject attribute names a certificate profile may use (server/domain/certificate-profiles.ts), `E` being emailAddress. */
const ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = { E: 'emailAddress' };

/**
 * The client identities of SCEP certificate profiles for Android devices (certificate
 * authentication, S/MIME signing): where an iOS device runs SCEP itself, an Android device is
 * handed a PKCS#12 in its policy (`mdmlab.keyPairs`), as DevicePolicyManager.installKeyPair and
 * Knox CertificateProvisioning.installCertificateToKeystore take one. The key is made with the
 * profile's keySize, the certificate issued by the lab CA with the profile's subject and validity,
 * and the store is kept per device and certificate profile, so a policy is rendered from stored
 * key pairs and the costly part (an RSA key, ~0.2 s at 2048 bits) runs once. An expired one is made
 * again. Concurrent requests for one key pair share one making.
 */
export class KeyPairIssuer {
  private readonly making = new Map<string, Promise<AndroidKeyPairRecord | undefined>>();

  constructor(private readonly ctx: AndroidContext) {}

  /**
   * The device's key pair for the certificate profile, made when there is none or it expired;
   * undefined when the profile is gone or is not a SCEP profile (the account then names an alias
   * the device lacks, which it reports as certificateMissing). `renewed`: an earlier one was replaced.
   */
  async ensure(device: DeviceRecord, certificateProfileId: string): Promise<{ keyPair: AndroidKeyPairRecord; renewed: boolean } | undefined> {
    const now = this.ctx.now().toISOString();
    const stored = await this.ctx.store.androidKeyPairs.get(device.id, certificateProfileId);
    if (stored && stored.notAfter > now) return { keyPair: stored, renewed: false };
    const key = `${device.id}\0${certificateProfileId}`;
    let pending = this.making.get(key);
    if (!pending) {
      pending = this.make(device, certificateProfileId).finally(() => this.making.delete(key));
      this.making.set(key, pending);
    }
    const keyPair = await pending;
    return keyPair ? { keyPair, renewed: stored !== undefined } : undefined;
  }

  private async make(device: DeviceRecord, certificateProfileId: string): Promise<AndroidKeyPairRecord | undefined> {
    const { store, ca } = this.ctx;
    const profile = await store.certificateProfiles.get(certificateProfileId);
    if (!profile?.scep) return undefined;
    const user = device.userId ? await store.users.get(device.userId) : undefined;
    const vars: Record<string, string> = { upn: user?.upn ?? '', email: user?.primarySmtp ?? '', username: user?.username ?? '', deviceId: device.id };
    const keys = await generateRsaKeyPair(profile.scep.keySize);
    const now = this.ctx.now();
    const issued = ca.issueFromCsr(buildCsr({ privateKey: keys.privateKey, publicKey: keys.publicKey, subject: subjectOf(profile.scep.subject, vars) }), {
      validityDays: profile.scep.validityDays,
      extendedKeyUsage: ['clientAuth', 'emailProtection'],
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      now,
    });
    const alias = keyPairAliasFor(certificateProfileId);
    const password = randomBytes(18).toString('base64url');
    const pkcs12 = buildPkcs12({ privateKey: keys.privateKey, certificateDer: issued.certDer, chainDer: [ca.certDer], password, friendlyName: alias });
    const record: AndroidKeyPairRecord = {
      deviceId: device.id,
      certificateProfileId,
      alias,
      pkcs12: pkcs12.toString('base64'),
      password,
      certificateFingerprint: createHash('sha256').update(issued.certDer).digest('hex'),
      notAfter: issued.notAfter.toISOString(),
      createdAt: now.toISOString(),
    };
    return store.transaction(async (tx) => {
      // Another server instance may have made one meanwhile: the first stored is the one delivered.
      const meanwhile = await tx.androidKeyPairs.get(device.id, certificateProfileId);
      if (meanwhile && meanwhile.notAfter > now.toISOString()) return meanwhile;
      await tx.androidKeyPairs.put(record);
      await tx.issuedCertificates.insert({
        serial: issued.serialHex,
        fingerprintSha256: record.certificateFingerprint,
        subject: issued.subjectString,
        purpose: 'certificateProfile',
        // No SCEP challenge authorised it: the server made it for the device's policy.
        challenge: 'android:keyPair',
        ...(device.userId ? { userId: device.userId } : {}),
        deviceId: device.id,
        certificateProfileId,
        issuedAt: now.toISOString(),
        notAfter: record.notAfter,
      });
      return record;
    });
  }
}

/** `CN={{upn}},O=Contoso` with the device's values, as name attributes (the profile's subject was checked when it was made). */
function subjectOf(template: string, vars: Record<string, string>): NameAttributeInput[] {
  const filled = template.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => vars[name] ?? '');
  return filled
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.includes('='))
    .map((part) => {
      const eq = part.indexOf('=');
      const name = part.slice(0, eq).trim();
      return { shortName: ATTRIBUTE_ALIASES[name] ?? name, value: part.slice(eq + 1).trim() || '-' };
    });
}
