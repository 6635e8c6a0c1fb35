import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckIn, type AuthenticateMessage } from '../../../protocol/apple/checkin.js';
import { CHECKIN, enrollIdentity, signedPut, type WireIdentity } from '../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * mdmlab's Apple channel manages iPhone, iPad and iPod touch (its enrollment profile, its email
 * payloads, the iOS duplicate-account rule). Other Apple devices open the same enrollment URL and
 * would otherwise be recorded as iOS and receive iOS profiles: they are refused at Authenticate,
 * with a reason naming what they are, and nothing is stored.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const deviceCount = async () => (await server.api.get('/devices').expect(200)).body.length as number;
const authenticate = (id: WireIdentity, extra: Partial<AuthenticateMessage>) =>
  signedPut(id.mdm.checkInUrl!, CHECKIN, encodeCheckIn({ MessageType: 'Authenticate', Topic: id.mdm.topic, UDID: id.udid, ...extra }), { key: id.key, certDer: id.certDer });

/** A real macOS 14 Authenticate carries Model, ModelName and DeviceName besides ProductName. */
const mac = (productName: string, modelName: string): Partial<AuthenticateMessage> => ({
  OSVersion: '14.5',
  BuildVersion: '23F79',
  ProductName: productName,
  SerialNumber: 'C02XK0ABCD12',
  DeviceName: "Uma's Mac",
  Model: productName,
  ModelName: modelName,
});

describe('Authenticate from Apple devices that are not iPhone, iPad or iPod touch', () => {
  it.each<[string, Partial<AuthenticateMessage>, RegExp]>([
    ['a MacBook Pro', mac('MacBookPro18,3', 'MacBook Pro'), /macOS/],
    ['a Mac Studio (Mac14,2)', mac('Mac14,2', 'Mac Studio'), /macOS/],
    ['an iMac', mac('iMac21,1', 'iMac'), /macOS/],
    ['a Mac mini', mac('Macmini9,1', 'Mac mini'), /macOS/],
    ['a macOS virtual machine', mac('VirtualMac2,1', 'Apple Virtual Machine 1'), /macOS/],
    ['a Mac that leaves out ProductName (Model and ModelName are macOS-only keys)', { Model: 'MacBookAir10,1', ModelName: 'MacBook Air', DeviceName: 'Air' }, /macOS/],
    ['an Apple TV', { ProductName: 'AppleTV11,1', OSVersion: '17.5' }, /tvOS/],
    ['an Apple Watch', { ProductName: 'Watch6,1', OSVersion: '10.5' }, /watchOS/],
    ['an Apple Vision Pro', { ProductName: 'RealityDevice14,1', OSVersion: '1.2' }, /visionOS/],
    ['a product this server does not know', { ProductName: 'Gadget1,1' }, /Gadget1,1/],
  ])('%s is refused (403 unsupportedPlatform) and nothing is stored', async (_name, extra, names) => {
    const id = await enrollIdentity(server, 'mac-user@contoso.com');
    const before = await deviceCount();
    const res = await authenticate(id, extra).expect(403);
    expect(res.text).toMatch(/^unsupportedPlatform: /);
    expect(res.text).toMatch(names);
    expect(res.text).toMatch(/iPhone, iPad and iPod touch/);
    expect(await deviceCount()).toBe(before);
    expect(await server.store.appleDevices.getByUdid(id.udid)).toBeUndefined();
  });

  it.each([['iPhone15,2'], ['iPad13,1'], ['iPod9,1']])('%s enrolls as an ios device', async (productName) => {
    const id = await enrollIdentity(server, 'ios-user@contoso.com');
    await authenticate(id, { ProductName: productName, OSVersion: '17.5.1' }).expect(200);
    const device = (await server.api.get('/devices').expect(200)).body.find((d: { hardwareId: string }) => d.hardwareId === id.udid);
    expect(device).toMatchObject({ platform: 'ios', model: productName });
  });
});
