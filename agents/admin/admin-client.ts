import type { EnrollmentTicket } from '../device.js';
import { sharedHttpClient, type HttpClient } from '../transport/http.js';

/**
 * The admin API as the scenario runner and the fleet runner use it: plain HTTP(S) with the bearer
 * token, JSON in and out, trusting the lab CA when the server runs TLS. Errors keep the API's own
 * `{error: {code, message, field}}`.
 */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

export interface DeviceDetail {
  id: string;
  platform: string;
  hardwareId: string;
  serialNumber?: string;
  status: 'enrolled' | 'unenrolled';
  compliance: 'compliant' | 'nonCompliant';
  profiles: { profileId: string; state: string; detail?: string; profileVersion: number; installedVersion?: number }[];
  alerts: { id: string; kind: string; profileId?: string; message: string }[];
  pendingCommands: number;
}

export interface StatusOverview {
  profiles: { profileId: string; name: string; counts: Record<string, number> }[];
  devices: { enrolled: number; compliant: number; nonCompliant: number };
  activeAlerts: number;
  pendingCommands: number;
}

export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly caPem?: string,
    private readonly http: HttpClient = sharedHttpClient(),
  ) {}

  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await this.http.request({
      method,
      url: `${this.baseUrl}/api/v1${path}`,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(this.caPem ? { caPem: this.caPem } : {}),
    });
    const text = res.body.toString('utf8');
    let json: unknown;
    try {
      json = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      // A proxy's or another server's page, not the admin API's JSON: say what answered, not what JSON.parse thought of it.
      if (res.status >= 400) throw new AdminApiError(res.status, 'httpError', `${method} ${path} answered ${res.status}`);
      throw new AdminApiError(res.status, 'notJson', `${method} ${path} answered ${res.status} with something that is not JSON (is this an mdmlab server?)`);
    }
    if (res.status >= 400) {
      const e = (json as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
      throw new AdminApiError(res.status, e?.code ?? 'httpError', e?.message ?? `${method} ${path} answered ${res.status}`, e?.field);
    }
    return json as T;
  }

  /** The server's CA certificate (GET /ca.pem), e.g. for trustedRoot certificate profiles. */
  async caCertificatePem(): Promise<string> {
    const res = await this.http.request({ method: 'GET', url: `${this.baseUrl}/ca.pem`, ...(this.caPem ? { caPem: this.caPem } : {}) });
    if (res.status !== 200) throw new AdminApiError(res.status, 'httpError', `GET /ca.pem answered ${res.status}`);
    return res.body.toString('utf8');
  }

  createUser(user: { upn: string; primarySmtp?: string; username?: string }) {
    return this.call<{ id: string; upn: string }>('POST', '/users', user);
  }
  createGroup(name: string) {
    return this.call<{ id: string; name: string }>('POST', '/groups', { name });
  }
  addMembers(groupId: string, members: { users?: string[]; devices?: string[] }) {
    return this.call<unknown>('POST', `/groups/${groupId}/members`, members);
  }
  removeMember(groupId: string, kind: 'users' | 'devices', id: string) {
    return this.call<unknown>('DELETE', `/groups/${groupId}/members/${kind}/${id}`);
  }
  createCertificateProfile(body: Record<string, unknown>) {
    return this.call<{ id: string }>('POST', '/certificate-profiles', body);
  }
  createEmailProfile(body: Record<string, unknown>) {
    return this.call<{ id: string; version: number }>('POST', '/email-profiles', body);
  }
  updateEmailProfile(id: string, patch: Record<string, unknown>) {
    return this.call<{ id: string; version: number }>('PATCH', `/email-profiles/${id}`, patch);
  }
  deleteEmailProfile(id: string) {
    return this.call<void>('DELETE', `/email-profiles/${id}`);
  }
  deploy(profileId: string, groupIds: string[]) {
    return this.call<{ groupIds: string[] }>('PUT', `/email-profiles/${profileId}/deployment`, { groupIds });
  }
  enrollmentToken(userId: string, opts: { platform?: string; reusable?: boolean; expiresInMinutes?: number } = {}) {
    // The answer is the device's enrollment ticket: each platform reads the fields it uses.
    return this.call<EnrollmentTicket & { token: string; platform: string }>('POST', '/enrollment-tokens', { userId, ...opts });
  }
  devices(query = '') {
    return this.call<(Omit<DeviceDetail, 'profiles' | 'alerts' | 'pendingCommands'>)[]>('GET', `/devices${query}`);
  }
  device(id: string) {
    return this.call<DeviceDetail>('GET', `/devices/${id}`);
  }
  /** Lets the next enrollment of the device bind a new identity although another is bound to it. */
  allowReenrollment(id: string, opts: { expiresInMinutes?: number } = {}) {
    return this.call<{ deviceId: string; allowedUntil: string }>('POST', `/devices/${id}/allow-reenrollment`, opts);
  }
  status() {
    return this.call<StatusOverview>('GET', '/status');
  }
  alerts(query = '') {
    return this.call<{ id: string; kind: string; deviceId?: string; profileId?: string; message: string }[]>('GET', `/alerts${query}`);
  }
}
