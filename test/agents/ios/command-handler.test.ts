import { randomUUID } from 'node:crypto';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../../certs/authority.js';
import { signCms } from '../../../certs/cms-signed.js';
import { handleCommand, UnanswerableCommand, type CommandContext } from '../../../agents/ios/command-handler.js';
import { MemoryIosStateStore } from '../../../agents/ios/device-state.js';
import { generateHardware } from '../../../agents/ios/hardware.js';
import { SeededRandom } from '../../../agents/random/seeded-random.js';
import { SCEP_ERRORS, ScepFailure } from '../../../agents/ios/scep-errors.js';
import { encodeCommand, type CommandRequest } from '../../../protocol/apple/command.js';
import { buildConfigurationProfile } from '../../../protocol/apple/configuration-profile.js';
import { buildEasPayload, type EasPayloadInput } from '../../../protocol/apple/payloads/eas-account.js';
import { buildPkcs12Payload } from '../../../protocol/apple/payloads/pkcs12.js';
import { buildScepPayload } from '../../../protocol/apple/payloads/scep.js';
import { encodePlist } from '../../../protocol/apple/plist-codec.js';
import type { PlistDict } from '../../../protocol/apple/plist-types.js';

/**
 * Command handling of the simulated iOS device without a server: the report each command gets
 * (Apple MDM Protocol Reference, "MDM Result Payloads" and "Error Codes") and what it leaves in the
 * device's stores.
 */

const U = () => randomUUID().toUpperCase();
let signerA: CertificateAuthority;
let signerB: CertificateAuthority;
beforeAll(async () => {
  [signerA, signerB] = await Promise.all([
    CertificateAuthority.create({ commonName: 'signer A' }),
    CertificateAuthority.create({ commonName: 'signer B' }),
  ]);
});

function context(overrides: Partial<CommandContext> = {}): CommandContext {
  let n = 0;
  return {
    state: new MemoryIosStateStore(),
    rule: () => ({ newId: () => `acct-${++n}`, now: 1 }),
    now: () => 1,
    accessRights: 8191,
    isBusy: () => false,
    hardware: generateHardware(new SeededRandom('command handling')),
    enrollmentProfileIdentifier: 'com.example.enroll',
    obtainCertificate: async () => {
      throw new Error('no SCEP in this test');
    },
    ...overrides,
  };
}

/** A PKCS#12 file of a CA's own key and certificate, written by node-forge (3DES, SHA-1 MAC). */
function pkcs12Of(ca: CertificateAuthority, password: string): Buffer {
  const key = forge.pki.privateKeyFromPem(ca.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
  const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(ca.certDer.toString('binary')));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

const command = (request: CommandRequest, uuid = U()): Buffer => Buffer.from(encodeCommand({ CommandUUID: uuid, Command: request }));

function easPayload(overrides: Partial<EasPayloadInput> = {}): PlistDict {
  return buildEasPayload({
    identifier: 'com.example.mail.eas',
    uuid: U(),
    displayName: 'Exchange',
    host: 'mail.contoso.com',
    email: 'pat@contoso.com',
    username: 'pat',
    ssl: true,
    daysToSync: 7,
    smimeSigningEnabled: false,
    preventAppSheet: false,
    enabled: { mail: true, contacts: true, calendars: true, reminders: true, notes: true },
    ...overrides,
  });
}

function profileBytes(payloads: PlistDict[], opts: { identifier?: string; signer?: CertificateAuthority | null } = {}): Buffer {
  const xml = encodePlist(buildConfigurationProfile({ identifier: opts.identifier ?? 'com.example.mail', uuid: U(), payloads }));
  const signer = opts.signer === undefined ? signerA : opts.signer;
  if (signer === null) return Buffer.from(xml);
  return signCms({ content: Buffer.from(xml), detached: false, signerCertDer: signer.certDer, signerKey: signer.privateKey });
}

const install = (bytes: Buffer, ctx: CommandContext) => handleCommand(command({ RequestType: 'InstallProfile', Payload: bytes }), ctx);
const codes = (r: Awaited<ReturnType<typeof handleCommand>>) => (r.report.ErrorChain ?? []).map((e) => `${e.ErrorDomain} ${e.ErrorCode}`);

describe('iOS command handling', () => {
  it('installs a signed profile: Acknowledged, the account in the store, the signer kept', async () => {
    const ctx = context();
    const result = await install(profileBytes([easPayload()]), ctx);
    expect(result.report.Status).toBe('Acknowledged');
    expect(result.profileIdentifier).toBe('com.example.mail');
    expect(await ctx.state.mail.list()).toEqual([expect.objectContaining({ id: 'acct-1', email: 'pat@contoso.com', managed: true, managedBy: 'com.example.mail' })]);
    expect(ctx.state.getProfile('com.example.mail')?.signerCertDer).toEqual(signerA.certDer);
  });

  it('accepts an unsigned profile, like iOS', async () => {
    const result = await install(profileBytes([easPayload()], { signer: null }), context());
    expect(result.report.Status).toBe('Acknowledged');
  });

  it('answers an unknown RequestType with Error MCMDMErrorDomain 12021', async () => {
    const uuid = U();
    const body = Buffer.from(encodePlist({ CommandUUID: uuid, Command: { RequestType: 'EraseDevice' } }));
    const result = await handleCommand(body, context());
    expect(result.report).toMatchObject({ Status: 'Error', CommandUUID: uuid });
    expect(codes(result)).toEqual(['MCMDMErrorDomain 12021']);
    expect(result.requestType).toBe('EraseDevice');
  });

  it('answers a malformed known command with CommandFormatError', async () => {
    const uuid = U();
    const body = Buffer.from(encodePlist({ CommandUUID: uuid, Command: { RequestType: 'InstallProfile' } }));
    const result = await handleCommand(body, context());
    expect(result.report).toEqual({ Status: 'CommandFormatError', CommandUUID: uuid });
  });

  it('cannot answer a body without CommandUUID', async () => {
    await expect(handleCommand(Buffer.from('<plist><dict/>'), context())).rejects.toBeInstanceOf(UnanswerableCommand);
  });

  it('refuses commands the enrollment access rights do not grant (12000)', async () => {
    const result = await handleCommand(command({ RequestType: 'ProfileList' }), context({ accessRights: 2 | 4 }));
    expect(codes(result)).toEqual(['MCMDMErrorDomain 12000']);
  });

  it('answers profile commands NotNow while busy, but still lists profiles', async () => {
    const ctx = context({ isBusy: () => true });
    expect((await install(profileBytes([easPayload()]), ctx)).report.Status).toBe('NotNow');
    expect(await ctx.state.mail.list()).toEqual([]);
    expect((await handleCommand(command({ RequestType: 'RemoveProfile', Identifier: 'x' }), ctx)).report.Status).toBe('NotNow');
    expect((await handleCommand(command({ RequestType: 'ProfileList' }), ctx)).report.Status).toBe('Acknowledged');
  });

  it('refuses a signature that does not verify: 4000 around MCProfileErrorDomain 1004', async () => {
    const signed = profileBytes([easPayload()]);
    const at = signed.indexOf(Buffer.from('pat@contoso.com'));
    signed[at] = 'q'.charCodeAt(0);
    const result = await install(signed, context());
    expect(codes(result)).toEqual(['MCInstallationErrorDomain 4000', 'MCProfileErrorDomain 1004']);
  });

  it('refuses content that is not a profile: 4000 around MCProfileErrorDomain 1000', async () => {
    const result = await install(Buffer.from('<plist version="1.0"><dict><key>PayloadType</key>'), context());
    expect(codes(result)).toEqual(['MCInstallationErrorDomain 4000', 'MCProfileErrorDomain 1000']);
  });

  it('refuses a replacement from another signer (4008) and keeps the installed one', async () => {
    const ctx = context();
    await install(profileBytes([easPayload()]), ctx);
    const result = await install(profileBytes([easPayload({ daysToSync: 31 })], { signer: signerB }), ctx);
    expect(codes(result)).toEqual(['MCInstallationErrorDomain 4008']);
    expect((await ctx.state.mail.list())[0]?.settings.daysToSync).toBe(7);
  });

  it('refuses a payload UUID another installed profile already uses (4002)', async () => {
    const ctx = context();
    const payload = easPayload();
    await install(profileBytes([payload], { identifier: 'one' }), ctx);
    const result = await install(profileBytes([{ ...payload, EmailAddress: 'other@contoso.com' }], { identifier: 'two' }), ctx);
    expect(codes(result)).toEqual(['MCInstallationErrorDomain 4002']);
  });

  it('refuses an EAS payload without Host (21003) and one with every service off (21009)', async () => {
    const noHost = await install(profileBytes([easPayload({ host: '' })]), context());
    expect(codes(noHost)).toEqual(['MCInstallationErrorDomain 4001', 'MCEASErrorDomain 21003']);
    const off = { mail: false, contacts: false, calendars: false, reminders: false, notes: false };
    const noServices = await install(profileBytes([easPayload({ enabled: off })]), context());
    expect(codes(noServices)).toEqual(['MCInstallationErrorDomain 4001', 'MCEASErrorDomain 21009']);
  });

  it('a failed SCEP payload fails the whole install: 4001 around MCSCEPErrorDomain 22013, no account', async () => {
    const scepUuid = U();
    const scep = buildScepPayload({ identifier: 'com.example.mail.scep', uuid: scepUuid, displayName: 'Identity', url: 'https://ca.example/scep', challenge: 'c', keysize: 2048 });
    const ctx = context({
      obtainCertificate: async () => {
        throw new ScepFailure(SCEP_ERRORS.invalidPkiOperationResponse, 'the SCEP server refused the request: failInfo badRequest');
      },
    });
    const result = await install(profileBytes([scep, easPayload({ certificateUuid: scepUuid })]), ctx);
    expect(codes(result)).toEqual(['MCInstallationErrorDomain 4001', 'MCSCEPErrorDomain 22013']);
    expect(await ctx.state.mail.list()).toEqual([]);
    expect(ctx.state.listProfiles()).toEqual([]);
  });

  it('a com.apple.security.pkcs12 payload is an identity the account may name; a wrong Password fails the install (4001 → 9000)', async () => {
    const p12Uuid = U();
    const p12 = (password: string) =>
      buildPkcs12Payload({ identifier: 'com.example.mail.p12', uuid: p12Uuid, displayName: 'Mail identity', content: pkcs12Of(signerB, 'open sesame'), password });
    const ctx = context();
    const refused = await install(profileBytes([p12('wrong'), easPayload({ certificateUuid: p12Uuid })]), ctx);
    expect(codes(refused)).toEqual(['MCInstallationErrorDomain 4001', 'MCCertificateErrorDomain 9000']);
    expect(ctx.state.listCertificates()).toEqual([]);

    const result = await install(profileBytes([p12('open sesame'), easPayload({ certificateUuid: p12Uuid })]), ctx);
    expect(result.report.Status).toBe('Acknowledged');
    expect(ctx.state.listCertificates()).toEqual([expect.objectContaining({ kind: 'identity', payloadUuid: p12Uuid, certDer: signerB.certDer })]);
    expect(await ctx.state.mail.list()).toEqual([expect.objectContaining({ email: 'pat@contoso.com', managed: true })]);
  });

  it('refuses a certificate reference to a payload the profile does not have (21004)', async () => {
    const result = await install(profileBytes([easPayload({ certificateUuid: U() })]), context());
    expect(codes(result)).toEqual(['MCInstallationErrorDomain 4001', 'MCEASErrorDomain 21004']);
  });

  it('RemoveProfile: unknown identifier → 12075; otherwise only that profile and its account go', async () => {
    const ctx = context();
    expect(codes(await handleCommand(command({ RequestType: 'RemoveProfile', Identifier: 'nope' }), ctx))).toEqual(['MCMDMErrorDomain 12075']);
    await install(profileBytes([easPayload()]), ctx);
    await ctx.state.mail.apply({ remove: [], add: [{ id: 'mine', email: 'pat@gmail.com', host: 'imap.gmail.com', settings: {}, managed: false, createdAt: 0 }] });
    const result = await handleCommand(command({ RequestType: 'RemoveProfile', Identifier: 'com.example.mail' }), ctx);
    expect(result.report.Status).toBe('Acknowledged');
    expect((await ctx.state.mail.list()).map((a) => a.id)).toEqual(['mine']);
    expect(ctx.state.listProfiles()).toEqual([]);
  });

  it('ProfileList reports Apple keys; ManagedOnly leaves out what the user installed', async () => {
    const ctx = context();
    ctx.state.putProfile({ identifier: 'com.mdmlab.enroll', uuid: U(), version: 1, removalDisallowed: false, hasRemovalPasscode: false, payloads: [], managed: false, installedAt: 0 }, []);
    await install(profileBytes([easPayload()]), ctx);
    const all = await handleCommand(command({ RequestType: 'ProfileList' }), ctx);
    expect(all.report.ProfileList?.map((p) => [p.PayloadIdentifier, p.IsManaged])).toEqual([
      ['com.mdmlab.enroll', false],
      ['com.example.mail', true],
    ]);
    expect(all.report.ProfileList?.[1]).toMatchObject({
      PayloadVersion: 1,
      IsEncrypted: false,
      SignerCertificates: [signerA.certDer],
      PayloadContent: [expect.objectContaining({ PayloadType: 'com.apple.eas.account', PayloadIdentifier: 'com.example.mail.eas' })],
    });
    const managed = await handleCommand(command({ RequestType: 'ProfileList', ManagedOnly: true }), ctx);
    expect(managed.report.ProfileList?.map((p) => p.PayloadIdentifier)).toEqual(['com.example.mail']);
  });

  it('RemoveProfile of a profile MDM did not install → 12013', async () => {
    const ctx = context();
    ctx.state.putProfile({ identifier: 'com.mdmlab.enroll', uuid: U(), version: 1, removalDisallowed: false, hasRemovalPasscode: false, payloads: [], managed: false, installedAt: 0 }, []);
    const result = await handleCommand(command({ RequestType: 'RemoveProfile', Identifier: 'com.mdmlab.enroll' }), ctx);
    expect(codes(result)).toEqual(['MCMDMErrorDomain 12013']);
  });
});
