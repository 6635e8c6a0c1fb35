/**
 * Platform vocabulary shared by the admin API, the server and the scenario runner.
 * See docs/email-profiles.md (the table of types, `platform`) and docs/scenarios.md (`devices[].platform`).
 */

/** The six email profile types: one per client the product supports. */
export const EMAIL_PROFILE_PLATFORMS = [
  'ios',
  'windowsPhone81',
  'windows10',
  'samsungKnox',
  'afwGmail',
  'afwNineWork',
] as const;
export type EmailProfilePlatform = (typeof EMAIL_PROFILE_PLATFORMS)[number];

/** What a device reports itself as when it enrolls. */
export const DEVICE_PLATFORMS = ['ios', 'windows10', 'windowsPhone81', 'samsungKnox', 'androidForWork'] as const;
export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number];

/**
 * Which devices a profile type reaches. Windows Phone 8.1 profiles are also applied to Windows 10
 * (Intune: "Windows Phone 8.1 email profiles are also applied to Windows 10 devices", Microsoft Intune
 * documentation, learn.microsoft.com/mem/intune/configuration/email-settings-windows-phone-8-1).
 */
export const PROFILE_REACHES: Readonly<Record<EmailProfilePlatform, readonly DevicePlatform[]>> = {
  ios: ['ios'],
  windowsPhone81: ['windowsPhone81', 'windows10'],
  windows10: ['windows10'],
  samsungKnox: ['samsungKnox'],
  afwGmail: ['androidForWork'],
  afwNineWork: ['androidForWork'],
};

export function profileReachesDevice(profile: EmailProfilePlatform, device: DevicePlatform): boolean {
  return PROFILE_REACHES[profile].includes(device);
}

/**
 * Certificate profiles belong to a device platform; an email profile may only use a certificate
 * profile of its own platform (both Android for Work apps share the work profile's certificates).
 */
export function certificatePlatformOf(profile: EmailProfilePlatform): DevicePlatform {
  switch (profile) {
    case 'afwGmail':
    case 'afwNineWork':
      return 'androidForWork';
    default:
      return profile;
  }
}

export const CERTIFICATE_PROFILE_KINDS = ['scep', 'trustedRoot'] as const;
export type CertificateProfileKind = (typeof CERTIFICATE_PROFILE_KINDS)[number];
