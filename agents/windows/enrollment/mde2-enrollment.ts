import type { KeyObject } from 'node:crypto';
import { parseCertificate } from '../../../certs/certificate.js';
import { spkiDer } from '../../../certs/keys.js';
import { buildWindowsCsr } from '../../../certs/windows-csr.js';
import { isWindowsProtocolError } from '../../../protocol/windows/index.js';
import {
  encodeDiscoverRequest,
  encodeEnrollmentRequest,
  encodeGetPoliciesRequest,
  policyHash,
  provisioningDocumentOf,
  readDiscoverResponse,
  readEnrollmentResponse,
  readGetPoliciesResponse,
  type EnrollmentContext,
  type WsSecurity,
} from '../../../protocol/windows/mde2/index.js';
import {
  certificateDerOf,
  decodeProvisioningDoc,
  provisioningProblems,
  readEnrollmentProvisioning,
  type EnrollmentProvisioning,
  type ProvisionedApplication,
  type ProvisionedDmClientProvider,
} from '../../../protocol/windows/provisioning/index.js';
import type { SeededRandom } from '../../random/seeded-random.js';
import { isHttpError } from '../../transport/http.js';
import { WindowsDeviceError } from '../errors.js';
import type { WindowsHardware } from '../hardware.js';
import type { WindowsVariant } from '../variant.js';
import { postSoap, type SoapExchange } from './soap-client.js';

/**
 * MS-MDE2 enrollment with on-premise authentication, as the Windows enrollment client runs it
 * (MS-MDE2 §3.1 discovery, MS-XCEP GetPolicies, MS-WSTEP RequestSecurityToken; Microsoft's
 * "On-premises authentication device enrollment" page):
 * 1. GET the discovery URL (Windows probes it; the answer's status does not stop it), then POST a
 *    Discover request; the response names the policy and enrollment services, which are followed.
 * 2. GetPolicies with the user's UPN and the one-time token as a WS-Security UsernameToken: the key
 *    length and hash the certificate request must use (2048-bit RSA and SHA-1 without a policy).
 * 3. RequestSecurityToken with a PKCS#10 made as Windows makes it (certs/windows-csr.ts: CN
 *    `<request GUID>!<DeviceID>` and a NUL, the DeviceID extension) and the AdditionalContext.
 * 4. The RSTR's provisioning document is read and checked as Windows would before applying it.
 */
export interface EnrollmentInput {
  variant: WindowsVariant;
  hardware: WindowsHardware;
  discoveryUrl: string;
  upn: string;
  /** The one-time enrollment token: the UsernameToken's password. */
  token: string;
}

export interface EnrollmentOutcome {
  provisioning: EnrollmentProvisioning;
  application: ProvisionedApplication;
  dmClient: ProvisionedDmClientProvider | undefined;
  keyPem: string;
  certDer: Buffer;
  rootCertDers: Buffer[];
}

export interface EnrollmentDeps extends SoapExchange {
  random: SeededRandom;
  takeKey(bits: number): Promise<{ privateKey: KeyObject; publicKey: KeyObject; pem: string }>;
}

const DEFAULT_KEY_BITS = 2048;

export async function enrollOverMde2(deps: EnrollmentDeps, input: EnrollmentInput): Promise<EnrollmentOutcome> {
  const { variant, hardware } = input;
  const messageId = () => `urn:uuid:${deps.random.uuid().toLowerCase()}`;
  const security: WsSecurity = { usernameToken: { username: input.upn, password: input.token } };

  await probe(deps, input.discoveryUrl);
  const discoverEnv = await postSoap(
    deps,
    input.discoveryUrl,
    encodeDiscoverRequest({
      messageId: messageId(),
      to: input.discoveryUrl,
      request: {
        emailAddress: input.upn,
        requestVersion: variant.requestVersion,
        deviceType: variant.deviceType,
        applicationVersion: hardware.applicationVersion,
        osEdition: hardware.osEdition,
        ...(variant.platform === 'windows10' ? { osVersion: hardware.osVersion } : {}),
        authPolicies: variant.authPolicies,
      },
    }),
    'Discover',
  );
  const discovery = readOrRefuse('DiscoverResponse', () => readDiscoverResponse(discoverEnv));
  if (discovery.authPolicy !== 'OnPremise') {
    throw new WindowsDeviceError('enrollmentRefused', `the server asks for ${discovery.authPolicy} authentication; the simulated device enrolls with OnPremise (a user name and the enrollment token) only`);
  }

  const policiesEnv = await postSoap(
    deps,
    discovery.enrollmentPolicyServiceUrl,
    encodeGetPoliciesRequest({ messageId: messageId(), to: discovery.enrollmentPolicyServiceUrl, security }),
    'GetPolicies',
  );
  const policies = readOrRefuse('GetPoliciesResponse', () => readGetPoliciesResponse(policiesEnv));
  const policy = policies.policies[0];
  const bits = Math.max(DEFAULT_KEY_BITS, policy?.minimalKeyLength ?? DEFAULT_KEY_BITS);
  const digest = readOrRefuse('GetPoliciesResponse', () => policyHash(policies, policy));

  const key = await deps.takeKey(bits);
  const csr = buildWindowsCsr({ privateKey: key.privateKey, publicKey: key.publicKey, requestGuid: deps.random.uuid(), deviceId: hardware.deviceId, digest });
  const rstEnv = await postSoap(
    deps,
    discovery.enrollmentServiceUrl,
    encodeEnrollmentRequest({ messageId: messageId(), to: discovery.enrollmentServiceUrl, security, csr, context: enrollmentContext(variant, hardware) }),
    'RequestSecurityToken',
  );
  const response = readOrRefuse('RequestSecurityTokenResponse', () => readEnrollmentResponse(rstEnv));
  const provisioning = readOrRefuse('provisioning document', () => readEnrollmentProvisioning(decodeProvisioningDoc(provisioningDocumentOf(response))));
  const problems = provisioningProblems(provisioning);
  if (problems.length > 0) throw new WindowsDeviceError('badProvisioning', `the provisioning document would be refused: ${problems.join('; ')}`);

  const application = provisioning.applications[0]!;
  const clientCert = provisioning.clientCertificates[0]!;
  const certDer = readOrRefuse('provisioning document', () => certificateDerOf(clientCert), 'badProvisioning');
  const rootCertDers = provisioning.rootCertificates.map((c) => readOrRefuse('provisioning document', () => certificateDerOf(c), 'badProvisioning'));
  if (!parseCertificate(certDer).spki.equals(spkiDer(key.publicKey))) {
    throw new WindowsDeviceError('badProvisioning', 'the issued client certificate is not for the key of the certificate request');
  }
  return {
    provisioning,
    application,
    dmClient: provisioning.dmClientProviders.find((p) => p.providerId === application.providerId),
    keyPem: key.pem,
    certDer,
    rootCertDers,
  };
}

/** The AdditionalContext of the request (MS-MDE2 §2.2.9.3), as the variant's client fills it. */
export function enrollmentContext(variant: WindowsVariant, hw: WindowsHardware): EnrollmentContext {
  return {
    uxInitiated: true,
    hwDevId: hw.hwDevId,
    locale: hw.language,
    ...(variant.platform === 'windows10' ? { targetedUserLoggedIn: true } : {}),
    osEdition: hw.osEdition,
    deviceName: hw.deviceName,
    deviceId: hw.deviceId,
    enrollmentType: variant.enrollmentType,
    deviceType: variant.deviceType,
    osVersion: hw.osVersion,
    applicationVersion: hw.applicationVersion,
    notInOobe: true,
    requestVersion: variant.requestVersion,
    macAddresses: [...hw.macAddresses],
    imeis: [...hw.imeis],
  };
}

/** Windows GETs the discovery URL before posting to it; only a failure to reach the server stops it. */
async function probe(deps: EnrollmentDeps, url: string): Promise<void> {
  try {
    await deps.http.request({ method: 'GET', url, headers: { 'user-agent': deps.userAgent }, ...(deps.caPem ? { caPem: deps.caPem } : {}) });
  } catch (err) {
    if (isHttpError(err)) throw new WindowsDeviceError('network', `discovery probe of ${url}: ${err.message}`, { cause: err });
    throw err;
  }
}

function readOrRefuse<T>(what: string, read: () => T, code: 'enrollmentRefused' | 'badProvisioning' = 'enrollmentRefused'): T {
  try {
    return read();
  } catch (err) {
    if (isWindowsProtocolError(err)) throw new WindowsDeviceError(code, `the ${what} cannot be read: ${err.message}`, { cause: err });
    throw err;
  }
}
