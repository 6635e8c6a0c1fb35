import type { EmailProfileSettings } from './email-profile-settings.js';

export interface DirectoryUser {
  upn: string;
  primarySmtp: string;
  username: string;
}

/**
 * The address and user name a profile gives one user's device (docs/email-profiles.md: "The address and
 * the user name are generated per device from its user"): emailSource picks the primary SMTP address or the UPN,
 * usernameSource the on-premises user name or the UPN.
 */
export function accountIdentityFor(
  settings: Pick<EmailProfileSettings, 'emailSource' | 'usernameSource'>,
  user: DirectoryUser,
): { email: string; username: string } {
  return {
    email: settings.emailSource === 'userPrincipalName' ? user.upn : user.primarySmtp,
    username: settings.usernameSource === 'username' ? user.username : user.upn,
  };
}
