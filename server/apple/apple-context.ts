import type { CertificateAuthority } from '../../certs/authority.js';
import type { DomainContext } from '../domain/context.js';
import type { Reconciler } from '../domain/reconciler.js';
import type { PushSender } from '../push/gateway.js';

/** What the Apple services share: the domain context plus the CA, the push topic and the URLs. */
export interface AppleContext extends DomainContext {
  ca: CertificateAuthority;
  /** `com.apple.mgmt.External.<uuid>`: fixed at first start (changing it strands devices, notes §2.6). */
  topic: string;
  baseUrl: () => string;
  push: PushSender;
  reconciler: Reconciler;
}

export const APPLE_PATHS = {
  enroll: '/mdm/enroll',
  checkIn: '/mdm/checkin',
  connect: '/mdm/connect',
  scep: '/scep',
} as const;

const MINUTE = 60_000;
export const addMinutes = (d: Date, minutes: number): string => new Date(d.getTime() + minutes * MINUTE).toISOString();
