/**
 * Android package names mdmlab deals with, in one place: Gmail (Google, "Use Gmail to support
 * Exchange ActiveSync"), Nine Work (9folders, "How to configure App Configuration Policies"),
 * Samsung Email (the app Knox's ExchangeAccountPolicy hands accounts to).
 */

import type { EmailProfilePlatform } from '../admin/platforms.js';

/** Gmail: managed configurations for Exchange from Gmail 6.4 (Google, "Use Gmail to support Exchange ActiveSync"). */
export const GMAIL_PACKAGE = 'com.google.android.gm';

/**
 * Nine Work for Android Enterprise. 9folders also ships com.ninefolders.hd3.work.airwatch (AirWatch
 * SDK build), com.ninefolders.hd3.work.intune (Intune MAM build) and the consumer com.ninefolders.hd3;
 * a managed Google Play deployment uses this one.
 */
export const NINE_WORK_PACKAGE = 'com.ninefolders.hd3.work';

/** Samsung Email, the app Knox's ExchangeAccountPolicy hands accounts to (it refuses when it is absent). */
export const SAMSUNG_EMAIL_PACKAGE = 'com.samsung.android.email.provider';

/**
 * mdmlab's own device policy controller: the agent that pulls the policy, installs apps and
 * certificates, applies the Knox section and reports. It plays the part Android Device Policy
 * (com.google.android.apps.work.clouddpc) plays for AMAPI. Its keyed app states carry the Knox
 * accounts' results.
 */
export const MDMLAB_DPC_PACKAGE = 'org.mdmlab.dpc';

/** The DPC's DeviceAdminReceiver, as a flattened ComponentName (`package/.Class`). */
export const MDMLAB_DPC_ADMIN_COMPONENT = `${MDMLAB_DPC_PACKAGE}/.AdminReceiver`;

/** The mail apps an Android for Work email profile configures. */
export type ManagedEmailApp = 'gmail' | 'nineWork';

export const EMAIL_APP_PACKAGES: Readonly<Record<ManagedEmailApp, string>> = {
  gmail: GMAIL_PACKAGE,
  nineWork: NINE_WORK_PACKAGE,
};

/** The app an email profile type configures, or undefined for a profile type that configures no app. */
export function emailAppForProfile(platform: EmailProfilePlatform): ManagedEmailApp | undefined {
  return platform === 'afwGmail' ? 'gmail' : platform === 'afwNineWork' ? 'nineWork' : undefined;
}

export function emailAppOfPackage(packageName: string): ManagedEmailApp | undefined {
  return packageName === GMAIL_PACKAGE ? 'gmail' : packageName === NINE_WORK_PACKAGE ? 'nineWork' : undefined;
}
