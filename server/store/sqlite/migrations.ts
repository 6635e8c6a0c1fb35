/**
 * Numbered schema migrations. A migration is never edited once it has shipped: add the next
 * number instead. Each runs in its own transaction together with its row in schema_migrations.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'directory, profiles, deployments, devices, states, alerts',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        upn TEXT NOT NULL COLLATE NOCASE UNIQUE,
        primary_smtp TEXT NOT NULL,
        username TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE user_groups (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE UNIQUE,
        description TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE group_members (
        group_id TEXT NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
        member_kind TEXT NOT NULL CHECK (member_kind IN ('user', 'device')),
        member_id TEXT NOT NULL,
        PRIMARY KEY (group_id, member_kind, member_id)
      );
      CREATE INDEX group_members_by_member ON group_members (member_kind, member_id);
      CREATE TABLE certificate_profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE UNIQUE,
        kind TEXT NOT NULL,
        platform TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE email_profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE UNIQUE,
        platform TEXT NOT NULL,
        definition TEXT NOT NULL,
        version INTEGER NOT NULL,
        ever_deployed INTEGER NOT NULL DEFAULT 0,
        identity_certificate_profile_id TEXT,
        signing_certificate_profile_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE deployments (
        profile_id TEXT NOT NULL REFERENCES email_profiles(id) ON DELETE CASCADE,
        group_id TEXT NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
        PRIMARY KEY (profile_id, group_id)
      );
      CREATE INDEX deployments_by_group ON deployments (group_id);
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        platform TEXT NOT NULL,
        hardware_id TEXT NOT NULL,
        user_id TEXT,
        name TEXT,
        model TEXT,
        os_version TEXT,
        serial_number TEXT,
        status TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        unenrolled_at TEXT,
        last_seen_at TEXT,
        UNIQUE (platform, hardware_id)
      );
      CREATE INDEX devices_by_user ON devices (user_id);
      -- No foreign key to email_profiles: a deleted profile's states stay as history
      -- (the device reports 'removed' for it after the deletion).
      CREATE TABLE profile_states (
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        profile_id TEXT NOT NULL,
        state TEXT NOT NULL,
        detail TEXT,
        profile_version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (device_id, profile_id)
      );
      CREATE INDEX profile_states_by_profile ON profile_states (profile_id, state);
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        device_id TEXT,
        profile_id TEXT,
        message TEXT NOT NULL,
        details TEXT NOT NULL,
        created_at TEXT NOT NULL,
        resolved_at TEXT
      );
      CREATE INDEX alerts_by_device ON alerts (device_id, resolved_at);
    `,
  },
  {
    version: 2,
    name: 'enrollment, SCEP, Apple channel, command queue, server settings',
    sql: `
      CREATE TABLE server_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE enrollment_tokens (
        token TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        platform TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        reusable INTEGER NOT NULL DEFAULT 0,
        used_at TEXT
      );
      -- One-time SCEP challenges: for enrollment identities and for certificate profiles.
      CREATE TABLE scep_challenges (
        challenge TEXT PRIMARY KEY,
        purpose TEXT NOT NULL CHECK (purpose IN ('enrollment', 'certificateProfile')),
        enrollment_token TEXT,
        user_id TEXT,
        device_id TEXT,
        certificate_profile_id TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        spent_at TEXT
      );
      CREATE TABLE issued_certificates (
        serial TEXT PRIMARY KEY,
        fingerprint_sha256 TEXT NOT NULL UNIQUE,
        subject TEXT NOT NULL,
        purpose TEXT NOT NULL,
        challenge TEXT NOT NULL,
        user_id TEXT,
        device_id TEXT,
        certificate_profile_id TEXT,
        issued_at TEXT NOT NULL,
        not_after TEXT NOT NULL
      );
      -- The Apple side of a device: its identity certificate (bound at Authenticate) and push data.
      CREATE TABLE apple_devices (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        udid TEXT NOT NULL UNIQUE,
        identity_fingerprint TEXT NOT NULL,
        topic TEXT NOT NULL,
        push_magic TEXT,
        push_token TEXT,
        unlock_token TEXT,
        token_update_count INTEGER NOT NULL DEFAULT 0,
        authenticated_at TEXT NOT NULL,
        profile_list TEXT
      );
      CREATE INDEX apple_devices_by_identity ON apple_devices (identity_fingerprint);
      -- Per-device command queue (NanoMDM's shape): next = oldest queued, by priority then age.
      CREATE TABLE commands (
        uuid TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        request_type TEXT NOT NULL,
        body TEXT NOT NULL,
        profile_id TEXT,
        profile_version INTEGER,
        status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'notNow')),
        priority INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        not_now_count INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX commands_by_device ON commands (device_id, status, priority DESC, seq);
    `,
  },
  {
    version: 3,
    name: 'command history',
    sql: `
      -- Answered commands per device (the queue forgets them once answered), newest kept.
      -- seq orders them: several answers can share one millisecond. Not unique on uuid: it is a
      -- log of answers, and a clash must never make the device's answer fail to record.
      CREATE TABLE command_history (
        seq INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        request_type TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('Acknowledged', 'Error', 'CommandFormatError')),
        error_chain TEXT,
        profile_id TEXT,
        profile_version INTEGER,
        queued_at TEXT NOT NULL,
        sent_at TEXT,
        answered_at TEXT NOT NULL
      );
      CREATE INDEX command_history_by_device ON command_history (device_id, seq);
    `,
  },
  {
    version: 4,
    name: 'the profile version each device holds',
    sql: `
      -- NULL: nothing of the profile is on the device. Rows recorded as installed before this
      -- column existed hold the version they refer to.
      ALTER TABLE profile_states ADD COLUMN installed_version INTEGER;
      UPDATE profile_states SET installed_version = profile_version WHERE state = 'installed';
    `,
  },
  {
    version: 5,
    name: 'identity binding: CheckOut releases it, an administrator may allow a re-enrollment',
    sql: `
      ALTER TABLE apple_devices ADD COLUMN checked_out_at TEXT;
      ALTER TABLE devices ADD COLUMN reenrollment_allowed_until TEXT;
      -- Devices whose last word was a CheckOut (not a later Authenticate) have left management.
      UPDATE apple_devices SET checked_out_at = (SELECT unenrolled_at FROM devices WHERE devices.id = apple_devices.device_id)
       WHERE device_id IN (SELECT id FROM devices WHERE status = 'unenrolled' AND unenrolled_at IS NOT NULL)
         AND authenticated_at <= (SELECT unenrolled_at FROM devices WHERE devices.id = apple_devices.device_id);
      -- Enrollment identities already bound stay tied to their device.
      UPDATE issued_certificates SET device_id = (SELECT device_id FROM apple_devices WHERE identity_fingerprint = issued_certificates.fingerprint_sha256)
       WHERE device_id IS NULL AND fingerprint_sha256 IN (SELECT identity_fingerprint FROM apple_devices);
    `,
  },
  {
    version: 6,
    name: 'platform-neutral command history',
    sql: `
      -- The history outgrows Apple's words: the platform's status as text (Apple's Acknowledged,
      -- an OMA-DM status code, …), a neutral outcome, and the device's detail as JSON in the
      -- platform's shape (Apple: {"errorChain": […]}).
      CREATE TABLE command_history_v6 (
        seq INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        request_type TEXT NOT NULL,
        status TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
        detail TEXT,
        profile_id TEXT,
        profile_version INTEGER,
        queued_at TEXT NOT NULL,
        sent_at TEXT,
        answered_at TEXT NOT NULL
      );
      INSERT INTO command_history_v6 (seq, uuid, device_id, request_type, status, outcome, detail, profile_id, profile_version, queued_at, sent_at, answered_at)
        SELECT seq, uuid, device_id, request_type, status,
               CASE status WHEN 'Acknowledged' THEN 'success' ELSE 'failure' END,
               CASE WHEN error_chain IS NULL THEN NULL ELSE json_object('errorChain', json(error_chain)) END,
               profile_id, profile_version, queued_at, sent_at, answered_at
          FROM command_history;
      DROP TABLE command_history;
      ALTER TABLE command_history_v6 RENAME TO command_history;
      CREATE INDEX command_history_by_device ON command_history (device_id, seq);
    `,
  },
  {
    version: 7,
    name: 'no UnlockToken kept',
    sql: `
      -- The UnlockToken (Apple: TokenUpdate, "used to clear a passcode") lets whoever holds it
      -- remove a device's passcode; the server never sends ClearPasscode, so it keeps none. The
      -- values are blanked before the column goes so that no page rewritten here still holds them
      -- (the database runs with secure_delete, which zeroes what is deleted).
      UPDATE apple_devices SET unlock_token = NULL WHERE unlock_token IS NOT NULL;
      ALTER TABLE apple_devices DROP COLUMN unlock_token;
    `,
  },
  {
    version: 8,
    name: 'Windows devices, OMA-DM sessions, sent SyncML commands, ActiveSync accounts',
    sql: `
      -- The Windows side of a device: the identity and DM credential issued at enrollment (MS-MDE2),
      -- what the device reported since, and its push channel. JSON columns hold small flat objects.
      CREATE TABLE windows_devices (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        dm_device_id TEXT NOT NULL UNIQUE,
        enrollment_type TEXT NOT NULL CHECK (enrollment_type IN ('Full', 'Device')),
        identity_fingerprint TEXT NOT NULL,
        identity_not_after TEXT NOT NULL,
        credential_hash TEXT NOT NULL,
        nonce TEXT NOT NULL,
        previous_nonce TEXT,
        enrollment_context TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        left_at TEXT,
        first_session_at TEXT,
        last_session_at TEXT,
        dev_info TEXT NOT NULL,
        login_status TEXT,
        push_token TEXT,
        channel_uri TEXT,
        channel_read_at TEXT,
        pfn_set_at TEXT,
        pfn_refused TEXT
      );
      -- One OMA-DM session per device at a time (MS-MDM §2.2.3): SessionID, MsgIDs, CmdIDs, and the
      -- last reply (a retransmitted message is answered with it again).
      CREATE TABLE windows_sessions (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        session_id TEXT NOT NULL,
        client_msg_id INTEGER NOT NULL,
        server_msg_id INTEGER NOT NULL,
        next_cmd_id INTEGER NOT NULL,
        last_request_hash TEXT,
        last_reply TEXT,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        ended_at TEXT
      );
      -- SyncML commands sent and not answered yet, to match the device's Status by MsgRef and CmdRef.
      CREATE TABLE windows_sent_commands (
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        session_id TEXT NOT NULL,
        msg_id INTEGER NOT NULL,
        cmd_id TEXT NOT NULL,
        command_uuid TEXT,
        role TEXT NOT NULL CHECK (role IN ('operation', 'part', 'pushPfn', 'pushChannel')),
        verb TEXT NOT NULL,
        target TEXT,
        payload TEXT,
        PRIMARY KEY (device_id, session_id, msg_id, cmd_id)
      );
      CREATE INDEX windows_sent_commands_by_command ON windows_sent_commands (device_id, command_uuid);
      -- One ActiveSync account GUID per device and profile, and what the device confirmed of it. No
      -- foreign key to email_profiles: a deleted profile's account must still be removed from the device.
      CREATE TABLE windows_accounts (
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        profile_id TEXT NOT NULL,
        account_guid TEXT NOT NULL,
        platform TEXT NOT NULL CHECK (platform IN ('windows10', 'windowsPhone81')),
        confirmed TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (device_id, profile_id)
      );
    `,
  },
  {
    version: 9,
    name: 'the Android channel: devices and their policy, key pairs, managed apps',
    sql: `
      -- The Android side of a device: the identity every request proves (one identity, one device),
      -- the push token, and the policy it pulls: a version and the channel's plan of it (JSON).
      CREATE TABLE android_devices (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        identity_fingerprint TEXT NOT NULL UNIQUE,
        certificate TEXT NOT NULL,
        certificate_not_after TEXT NOT NULL,
        management_mode TEXT NOT NULL CHECK (management_mode IN ('DEVICE_OWNER', 'PROFILE_OWNER')),
        api_level INTEGER,
        knox_version TEXT,
        knox_api_level INTEGER,
        push_token TEXT,
        policy_version INTEGER NOT NULL,
        policy_changed_at TEXT NOT NULL,
        plan TEXT NOT NULL,
        plan_fingerprint TEXT NOT NULL,
        applied_policy_version INTEGER,
        knox_flips TEXT,
        reported_apps TEXT,
        registered_at TEXT NOT NULL,
        last_report_at TEXT,
        unregistered_at TEXT
      );
      -- Client identities made from SCEP certificate profiles (PKCS#12 with its password), one per
      -- device and certificate profile.
      CREATE TABLE android_key_pairs (
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        certificate_profile_id TEXT NOT NULL,
        alias TEXT NOT NULL,
        pkcs12 TEXT NOT NULL,
        password TEXT NOT NULL,
        certificate_fingerprint TEXT NOT NULL,
        not_after TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (device_id, certificate_profile_id)
      );
      -- Managed apps (Gmail, Nine Work) deployed to groups: FORCE_INSTALLED in the work profile.
      CREATE TABLE managed_app_deployments (
        app TEXT NOT NULL,
        group_id TEXT NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
        PRIMARY KEY (app, group_id)
      );
      CREATE INDEX managed_app_deployments_by_group ON managed_app_deployments (group_id);
    `,
  },
];

