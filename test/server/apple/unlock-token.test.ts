import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCheckIn } from '../../../protocol/apple/checkin.js';
import { CHECKIN, enrollIdentity, signedPut } from '../../helpers/apple-wire.js';
import { startTestServer } from '../../helpers/server.js';

/**
 * The UnlockToken of a TokenUpdate (Apple: "used to clear a passcode" with ClearPasscode) lets its
 * holder remove the device's passcode. The server never sends ClearPasscode, so it keeps none:
 * after an enrollment whose TokenUpdate carried one, no file of the data folder holds it.
 */
describe('the UnlockToken', () => {
  it('is accepted in a TokenUpdate and kept nowhere in the data folder', async () => {
    const server = await startTestServer();
    const unlockToken = randomBytes(1024);
    try {
      const id = await enrollIdentity(server, 'unlock@contoso.com');
      const as = { key: id.key, certDer: id.certDer };
      await signedPut(id.mdm.checkInUrl!, CHECKIN, encodeCheckIn({ MessageType: 'Authenticate', Topic: id.mdm.topic, UDID: id.udid }), as).expect(200);
      const tokenUpdate = { MessageType: 'TokenUpdate' as const, Topic: id.mdm.topic, UDID: id.udid, Token: randomBytes(32), PushMagic: 'pm', UnlockToken: unlockToken };
      await signedPut(id.mdm.checkInUrl!, CHECKIN, encodeCheckIn(tokenUpdate), as).expect(200);
      const device = (await server.api.get('/devices').expect(200)).body[0];
      expect(device).toMatchObject({ hardwareId: id.udid, status: 'enrolled' });
      expect(JSON.stringify(await server.store.appleDevices.getByUdid(id.udid))).not.toContain(unlockToken.toString('base64'));
    } finally {
      await server.stop({ keepData: true });
    }
    // Every file the server left (the database after its final checkpoint, keys, certificates).
    const files = readdirSync(server.dataDir).map((f) => join(server.dataDir, f));
    expect(files).toContain(join(server.dataDir, 'mdmlab.db'));
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const form of [unlockToken, Buffer.from(unlockToken.toString('base64')), Buffer.from(unlockToken.toString('hex'))]) {
        expect(bytes.includes(form), `${file} holds the UnlockToken`).toBe(false);
      }
    }
    await server.stop();
  });
});
