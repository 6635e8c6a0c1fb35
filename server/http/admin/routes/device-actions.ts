import type { ObjectSchema } from '../../../../protocol/admin/schema.js';
import { deviceCommands } from '../../../domain/command-queue.js';
import type { DomainContext } from '../../../domain/context.js';
import { CreateEnrollmentToken, type EnrollmentTokenService } from '../../../domain/enrollment-tokens.js';
import { parseBody } from '../../../domain/validate.js';
import { MdmlabError, notFound } from '../../../errors/mdmlab-error.js';
import type { PlatformModule } from '../../../platform/platform-module.js';
import { idParam, type RouteSpec } from '../route.js';
import { DeviceCommands } from '../response-schemas.js';

/**
 * The device routes every platform shares: enrollment tokens, the command queue and history, ad-hoc
 * commands and pushes. Each is answered through the module of the device's platform.
 */
export function deviceActionRoutes(ctx: DomainContext, tokens: EnrollmentTokenService, modules: readonly PlatformModule[]): RouteSpec[] {
  const moduleOf = (platform: string) => modules.find((m) => (m.platforms as readonly string[]).includes(platform));
  const existingDevice = async (id: string) => {
    const device = await ctx.store.devices.get(id);
    if (!device) throw notFound('device', id);
    return device;
  };
  const adHoc = modules.flatMap((m) => (m.adHocCommands ? [{ module: m, commands: m.adHocCommands }] : []));
  const EnqueueCommand: ObjectSchema = {
    type: 'object',
    required: ['requestType'],
    properties: {
      requestType: {
        type: 'string',
        enum: adHoc.flatMap((a) => a.commands.requestTypes),
        description: `Profile commands come from deployments. ${adHoc.map((a) => `${a.module.platforms.join('/')}: ${a.commands.requestTypes.join(', ')}`).join('; ')}`,
      },
      ...Object.assign({}, ...adHoc.map((a) => a.commands.properties ?? {})),
    },
  };
  return [
    {
      method: 'post',
      path: '/enrollment-tokens',
      tag: 'enrollment',
      summary: 'Create an enrollment token for a user; the answer says how the device uses it (iOS: enrollUrl; Windows: discoveryUrl and upn, the token being the password)',
      body: CreateEnrollmentToken,
      status: 201,
      handler: (r) => tokens.create(r.body),
    },
    {
      method: 'get',
      path: '/devices/{id}/commands',
      tag: 'devices',
      summary: "The device's command queue and its answered commands, newest first, with the device's own words (Apple: the ErrorChain)",
      response: DeviceCommands,
      handler: async (r) => deviceCommands(ctx.store, (await existingDevice(idParam(r))).id),
    },
    {
      method: 'post',
      path: '/devices/{id}/commands',
      tag: 'devices',
      summary: 'Queue a command by hand (iOS: ProfileList) and wake the device',
      body: EnqueueCommand,
      status: 201,
      handler: async (r) => {
        const input = parseBody<{ requestType: string } & Record<string, unknown>>(EnqueueCommand, r.body);
        const device = await existingDevice(idParam(r));
        const mine = moduleOf(device.platform)?.adHocCommands;
        if (device.status !== 'enrolled' || !mine || !mine.requestTypes.includes(input.requestType)) {
          throw new MdmlabError('deviceNotEnrolled', `device ${device.id} is not an enrolled device that takes ${input.requestType}`);
        }
        return mine.queue(device, input);
      },
    },
    {
      method: 'post',
      path: '/devices/{id}/push',
      tag: 'devices',
      summary: "Wake the device through its platform's push service: delivered, held (offline), noToken, or not held (expired, unknownToken, holdsFull)",
      handler: async (r) => {
        const device = await existingDevice(idParam(r));
        const module = moduleOf(device.platform);
        return { result: module ? await module.channel.push(device.id) : 'noToken' };
      },
    },
  ];
}
