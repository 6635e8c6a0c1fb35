import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import { PASSWORD_TEXT } from '../../protocol/windows/mde2/namespaces.js';
import type { WsSecurity } from '../../protocol/windows/mde2/ws-security.js';
import type { Repositories } from '../store/port.js';
import type { EnrollmentTokenRecord, UserRecord } from '../store/records.js';
import { EnrollmentFault } from './enrollment-fault.js';

export const WINDOWS_PLATFORMS = ['windows10', 'windowsPhone81'] as const satisfies readonly DevicePlatform[];
export type WindowsPlatform = (typeof WINDOWS_PLATFORMS)[number];

/** Enrollment tokens are 24 characters; anything far longer is refused before a lookup. */
const MAX_CREDENTIAL_LENGTH = 512;

export interface EnrollmentCredentials {
  token: EnrollmentTokenRecord & { platform: WindowsPlatform };
  user: UserRecord;
}

/**
 * The on-premise authentication of an enrollment (MS-MDE2 §3.3 and Microsoft's "On-premises
 * authentication device enrollment"): a WS-Security UsernameToken (OASIS UsernameToken Profile 1.0,
 * PasswordText) whose Username is the user's UPN and whose Password is a one-time enrollment token
 * of that user for a Windows platform. Judged without spending anything: GetPolicies only checks
 * it, RequestSecurityToken spends the token in the unit of work that issues the certificate.
 * Every reason for a refusal gets the same answer, so a client learns nothing of which part failed.
 */
export async function checkEnrollmentCredentials(
  reader: Pick<Repositories, 'enrollmentTokens' | 'users'>,
  security: WsSecurity | undefined,
  at: string,
): Promise<EnrollmentCredentials> {
  const ut = security?.usernameToken;
  if (!ut) throw new EnrollmentFault('missingSecurity');
  if (ut.passwordType !== undefined && ut.passwordType.toLowerCase() !== PASSWORD_TEXT.toLowerCase()) {
    throw new EnrollmentFault('credentialsRefused', 'the UsernameToken password must be PasswordText');
  }
  const upn = ut.username.trim();
  const secret = ut.password.trim();
  if (upn === '' || secret === '' || upn.length > MAX_CREDENTIAL_LENGTH || secret.length > MAX_CREDENTIAL_LENGTH) {
    throw new EnrollmentFault('credentialsRefused');
  }
  const token = await reader.enrollmentTokens.get(secret);
  if (!token || token.expiresAt < at || (!token.reusable && token.usedAt) || !isWindowsPlatform(token.platform)) {
    throw new EnrollmentFault('credentialsRefused');
  }
  const user = await reader.users.get(token.userId);
  if (!user || user.upn.toLowerCase() !== upn.toLowerCase()) throw new EnrollmentFault('credentialsRefused');
  return { token: { ...token, platform: token.platform }, user };
}

export function isWindowsPlatform(p: string): p is WindowsPlatform {
  return (WINDOWS_PLATFORMS as readonly string[]).includes(p);
}
