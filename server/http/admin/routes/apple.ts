import type { ObjectSchema } from '../../../../protocol/admin/schema.js';
import type { AppleChannel } from '../../../apple/apple-channel.js';
import { enqueueAppleCommand } from '../../../apple/apple-channel.js';
import { deviceCommands } from '../../../apple/command-history.js';
import { CreateEnrollmentToken, type EnrollmentTokenService } from '../../../apple/enrollment-tokens.js';
import { isoNow, type DomainContext } from '../../../domain/context.js';
import { parseBody } from '../../../domain/validate.js';
import { MdmlabError, notFound } from '../../../errors/mdmlab-error.js';
import { idParam, type RouteSpec } from '../route.js';
import { DeviceCommands } from '../response-schemas.js';

const EnqueueCommand: ObjectSchema = {
  type: 'object',
  required: ['requestType'],
  properties: {
    requestType: { type: 'string', enum: ['ProfileList'], description: 'Profile commands come from deployments; ProfileList asks what is installed' },
    managedOnly: { type: 'boolean' },
  },
};

/** Enrollment tokens, per-device command queues and history, and pushes. */
export function appleAdminRoutes(ctx: DomainContext, tokens: EnrollmentTokenService, channel: AppleChannel): RouteSpec[] {
  const existingDevice = async (id: string) => {
    const device = await ctx.store.devices.get(id);
    if (!device) throw notFound('device', id);
    return device;
  };
  return [
    {
      method: 'post',
      path: '/enrollment-tokens',
      tag: 'enrollment',
      summary: 'Create an enrollment token for a user; enrollUrl is what the device opens',
      body: CreateEnrollmentToken,
      status: 201,
      handler: (r) => tokens.create(r.body),
    },
    {
      method: 'get',
      path: '/devices/{id}/commands',
      tag: 'devices',
      summary: 'The device command queue and its answered commands, newest first, with the ErrorChain as the device sent it',
      response: DeviceCommands,
      handler: async (r) => deviceCommands(ctx.store, (await existingDevice(idParam(r))).id),
    },
    {
      method: 'post',
      path: '/devices/{id}/commands',
      tag: 'devices',
      summary: 'Queue a ProfileList command and wake the device',
      body: EnqueueCommand,
      status: 201,
      handler: async (r) => {
        const input = parseBody<{ requestType: 'ProfileList'; managedOnly?: boolean }>(EnqueueCommand, r.body);
        const device = await existingDevice(idParam(r));
        if (device.status !== 'enrolled' || device.platform !== 'ios') throw new MdmlabError('deviceNotEnrolled', `device ${device.id} is not an enrolled iOS device`);
        const uuid = await ctx.store.transaction((tx) =>
          enqueueAppleCommand(tx, device, { RequestType: 'ProfileList', ...(input.managedOnly !== undefined ? { ManagedOnly: input.managedOnly } : {}) }, isoNow(ctx)),
        );
        return { uuid, push: await channel.push(device.id) };
      },
    },
    {
      method: 'post',
      path: '/devices/{id}/push',
      tag: 'devices',
      summary: 'Wake the device (APNs-style push): delivered, held (offline), noToken, or not held (expired, unknownToken, holdsFull)',
      handler: async (r) => ({ result: await channel.push((await existingDevice(idParam(r))).id) }),
    },
  ];
}
