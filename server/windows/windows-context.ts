import type { PollSchedule } from '../../protocol/windows/provisioning/enrollment-document.js';
import type { PlatformContext } from '../platform/platform-module.js';

/** What the Windows services share: the platform context (no state of their own: sessions live in the store). */
export type WindowsContext = PlatformContext;

/**
 * The Windows endpoints. Discovery's path is fixed by MS-MDE2 §3.1 (the client derives it from the
 * user's domain); the others are announced in the DiscoverResponse and the provisioning document.
 */
export const WINDOWS_PATHS = {
  enrollmentServer: '/EnrollmentServer',
  discovery: '/EnrollmentServer/Discovery.svc',
  policy: '/EnrollmentServer/Policy.svc',
  enrollment: '/EnrollmentServer/Enrollment.svc',
  managementServer: '/ManagementServer',
  management: '/ManagementServer/MDM.svc',
} as const;

/** The w7 APPLICATION PROVIDER-ID, also the DMClient Provider node name (they must match: w7 APPLICATION CSP). */
export const PROVIDER_ID = 'mdmlab';

/** DMClient CSP Push: the PFN the server sets and the ChannelURI it reads (the wire contract's WNS-like push). */
export const PUSH_PFN = 'mdmlab.wns';
export const PUSH_NODE = `./Device/Vendor/MSFT/DMClient/Provider/${PROVIDER_ID}/Push`;
/** The gateway topic of a Windows wake-up; the payload only wakes the device (it then opens a session with Alert 1200). */
export const PUSH_TOPIC = 'wns';
/** The path of a ChannelURI: `{base}/push/wns/{token}`. */
export const CHANNEL_PATH = /\/push\/wns\/([0-9a-f]{64})$/;

/**
 * How often a session reads Push/ChannelURI when it has nothing else to do. A channel changes only
 * when it is renewed (every 15 days with WNS: Microsoft's "Push notification support for device
 * management"), so an idle session need not pay a second round trip for it each time; a session
 * with work reads it anyway, and so does one of a device whose channel is not known yet.
 */
export const CHANNEL_REFRESH_MS = 60 * 60_000;
/** A device that refused Push/PFN (no push support) is asked again a day later, not every session. */
export const PFN_RETRY_MS = 24 * 3600_000;

/**
 * The DMClient poll schedule (DMClient CSP Provider/{ProviderID}/Poll): every 3 minutes for the
 * first half hour after enrollment, every 15 minutes for the next two hours, then every 8 hours
 * (Intune's check-in cadence) on Windows 10 and daily on Windows Phone 8.1 (the DMClient CSP asks
 * for at least 1440 minutes on phones, which have push). A lost push only delays.
 */
export function pollSchedule(platform: 'windows10' | 'windowsPhone81'): PollSchedule {
  return {
    numberOfFirstRetries: 10,
    intervalForFirstSetOfRetries: 3,
    numberOfSecondRetries: 8,
    intervalForSecondSetOfRetries: 15,
    numberOfRemainingScheduledRetries: 0,
    intervalForRemainingScheduledRetries: platform === 'windowsPhone81' ? 1440 : 480,
    pollOnLogin: true,
  };
}

/** The enrollment policy (MS-XCEP): the key and hash a request must use, and what is issued. */
export const ENROLLMENT_POLICY = {
  minimalKeyLength: 2048,
  hash: 'sha256',
  validityDays: 365,
  renewalDays: 180,
} as const;

/** Profile operations go before anything else an administrator might queue. */
export const PROFILE_PRIORITY = 10;
