import type Database from 'better-sqlite3';
import type { WindowsDeviceRepository } from '../../port.js';
import type { WindowsDeviceRecord, WindowsFacts } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, guarded, opt } from './row.js';

interface Row {
  device_id: string;
  dm_device_id: string;
  enrollment_type: WindowsDeviceRecord['enrollmentType'];
  identity_fingerprint: string;
  identity_not_after: string;
  credential_hash: string;
  nonce: string;
  previous_nonce: string | null;
  enrollment_context: string;
  enrolled_at: string;
  left_at: string | null;
  first_session_at: string | null;
  last_session_at: string | null;
  dev_info: string;
  login_status: string | null;
  push_token: string | null;
  channel_uri: string | null;
  channel_read_at: string | null;
  pfn_set_at: string | null;
  pfn_refused: string | null;
}

const toRecord = (r: Row): WindowsDeviceRecord =>
  compact({
    deviceId: r.device_id,
    dmDeviceId: r.dm_device_id,
    enrollmentType: r.enrollment_type,
    identityFingerprint: r.identity_fingerprint,
    identityNotAfter: r.identity_not_after,
    credentialHash: r.credential_hash,
    nonce: r.nonce,
    previousNonce: opt(r.previous_nonce),
    enrollmentContext: JSON.parse(r.enrollment_context) as WindowsFacts,
    enrolledAt: r.enrolled_at,
    leftAt: opt(r.left_at),
    firstSessionAt: opt(r.first_session_at),
    lastSessionAt: opt(r.last_session_at),
    devInfo: JSON.parse(r.dev_info) as WindowsFacts,
    loginStatus: opt(r.login_status),
    pushToken: opt(r.push_token),
    channelUri: opt(r.channel_uri),
    channelReadAt: opt(r.channel_read_at),
    pfnSetAt: opt(r.pfn_set_at),
    pfnRefused: r.pfn_refused === null ? undefined : (JSON.parse(r.pfn_refused) as WindowsDeviceRecord['pfnRefused']),
  });

export function sqliteWindowsDevices(db: Database.Database, exec: Exec): WindowsDeviceRepository {
  const upsert = db.prepare(
    `INSERT INTO windows_devices (device_id, dm_device_id, enrollment_type, identity_fingerprint, identity_not_after, credential_hash, nonce,
       previous_nonce, enrollment_context, enrolled_at, left_at, first_session_at, last_session_at, dev_info, login_status, push_token,
       channel_uri, channel_read_at, pfn_set_at, pfn_refused)
     VALUES (@deviceId, @dmDeviceId, @enrollmentType, @identityFingerprint, @identityNotAfter, @credentialHash, @nonce,
       @previousNonce, @enrollmentContext, @enrolledAt, @leftAt, @firstSessionAt, @lastSessionAt, @devInfo, @loginStatus, @pushToken,
       @channelUri, @channelReadAt, @pfnSetAt, @pfnRefused)
     ON CONFLICT (device_id) DO UPDATE SET dm_device_id = excluded.dm_device_id, enrollment_type = excluded.enrollment_type,
       identity_fingerprint = excluded.identity_fingerprint, identity_not_after = excluded.identity_not_after,
       credential_hash = excluded.credential_hash, nonce = excluded.nonce, previous_nonce = excluded.previous_nonce,
       enrollment_context = excluded.enrollment_context, enrolled_at = excluded.enrolled_at, left_at = excluded.left_at,
       first_session_at = excluded.first_session_at, last_session_at = excluded.last_session_at, dev_info = excluded.dev_info,
       login_status = excluded.login_status, push_token = excluded.push_token, channel_uri = excluded.channel_uri,
       channel_read_at = excluded.channel_read_at, pfn_set_at = excluded.pfn_set_at, pfn_refused = excluded.pfn_refused`,
  );
  const byDevice = db.prepare<[string], Row>('SELECT * FROM windows_devices WHERE device_id = ?');
  const byDmDeviceId = db.prepare<[string], Row>('SELECT * FROM windows_devices WHERE dm_device_id = ?');
  return {
    upsert: (d) =>
      exec(() =>
        void guarded(() =>
          upsert.run({
            ...d,
            previousNonce: d.previousNonce ?? null,
            enrollmentContext: JSON.stringify(d.enrollmentContext),
            leftAt: d.leftAt ?? null,
            firstSessionAt: d.firstSessionAt ?? null,
            lastSessionAt: d.lastSessionAt ?? null,
            devInfo: JSON.stringify(d.devInfo),
            loginStatus: d.loginStatus ?? null,
            pushToken: d.pushToken ?? null,
            channelUri: d.channelUri ?? null,
            channelReadAt: d.channelReadAt ?? null,
            pfnSetAt: d.pfnSetAt ?? null,
            pfnRefused: d.pfnRefused ? JSON.stringify(d.pfnRefused) : null,
          }),
        ),
      ),
    getByDevice: (id) => exec(() => { const r = byDevice.get(id); return r && toRecord(r); }),
    getByDmDeviceId: (id) => exec(() => { const r = byDmDeviceId.get(id); return r && toRecord(r); }),
  };
}
