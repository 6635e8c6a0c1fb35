import type { AuthPolicy } from '../../protocol/windows/mde2/index.js';
import type { ActiveSyncScope } from '../../protocol/windows/activesync/index.js';

/**
 * What makes the two simulated Windows clients different, in one table (MS-MDE2 §3.1 Discover and
 * §2.2.9.3 AdditionalContext; Microsoft's "ActiveSync CSP" and "OMA DM protocol support" pages):
 *
 * | | windows10 | windowsPhone81 |
 * |---|---|---|
 * | Discover RequestVersion | 4.0 (Windows 10 19043 sends 4.0; later builds 5.0, 6.0) | 2.0 (WP 8.1; 3.0 is the early Windows 10 / WP doc sample) |
 * | DeviceType | CIMClient_Windows | WindowsPhone |
 * | EnrollmentType (RST context) | Full: user enrollment, client certificate in My/User | Device: client certificate in My/System |
 * | management tree | device and `./User` scopes | device scope only (no `./User`) |
 * | ActiveSync accounts the user sets up | `./User/Vendor/MSFT/ActiveSync` | `./Vendor/MSFT/ActiveSync` |
 * | Alert 1224 LoginStatus in every session | yes | no |
 */
export interface WindowsVariant {
  platform: 'windows10' | 'windowsPhone81';
  requestVersion: string;
  deviceType: string;
  enrollmentType: 'Full' | 'Device';
  /** The policies offered in Discover, in the client's order. */
  authPolicies: AuthPolicy[];
  /** Whether the tree has the `./User` scope (Windows 10 desktop) or only the device scope (WP 8.1). */
  userScope: boolean;
  /** Where the accounts the user sets up by hand live. */
  activeSyncScope: ActiveSyncScope;
  loginStatus: boolean;
  /** CertificateStore/My location of the client certificate the provisioning document should use. */
  clientCertificateStore: 'User' | 'System';
  /** DevInfo/DmV: 1.3 observed from Windows 10 clients (Fleet's capture); 1.2 on WP 8.1. */
  dmVersion: string;
  /** User-Agent of the enrollment client and of the OMA-DM client. */
  enrollmentUserAgent: string;
  dmUserAgent: string;
}

export const WINDOWS_VARIANTS: Readonly<Record<WindowsVariant['platform'], WindowsVariant>> = {
  windows10: {
    platform: 'windows10',
    requestVersion: '4.0',
    deviceType: 'CIMClient_Windows',
    enrollmentType: 'Full',
    authPolicies: ['OnPremise', 'Federated'],
    userScope: true,
    activeSyncScope: 'user',
    loginStatus: true,
    clientCertificateStore: 'User',
    dmVersion: '1.3',
    enrollmentUserAgent: 'ENROLLClient',
    dmUserAgent: 'MSFT OMA DM Client/1.2.0.1',
  },
  windowsPhone81: {
    platform: 'windowsPhone81',
    requestVersion: '2.0',
    deviceType: 'WindowsPhone',
    enrollmentType: 'Device',
    authPolicies: ['OnPremise'],
    userScope: false,
    activeSyncScope: 'device',
    loginStatus: false,
    clientCertificateStore: 'System',
    dmVersion: '1.2',
    enrollmentUserAgent: 'Windows Phone 8 Enrollment Client',
    dmUserAgent: 'MSFT OMA DM Client/1.2.0.1',
  },
};
