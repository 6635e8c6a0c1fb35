import type { AppleChannel } from '../../../apple/apple-channel.js';
import { enqueueAppleCommand } from '../../../apple/apple-channel.js';
import type { AppleContext } from '../../../apple/apple-context.js';
import { isoNow } from '../../../domain/context.js';
import type { AdHocCommands } from '../../../platform/platform-module.js';

/**
 * What an administrator may ask an iOS device by hand: ProfileList (Apple: "Profile List" command),
 * what is installed. Profile commands come from deployments only.
 */
export function appleAdHocCommands(ctx: AppleContext, channel: AppleChannel): AdHocCommands {
  return {
    requestTypes: ['ProfileList'],
    properties: { managedOnly: { type: 'boolean', description: 'ProfileList: only the profiles this server installed' } },
    queue: async (device, body) => {
      const managedOnly = body.managedOnly;
      const uuid = await ctx.store.transaction((tx) =>
        enqueueAppleCommand(tx, device, { RequestType: 'ProfileList', ...(typeof managedOnly === 'boolean' ? { ManagedOnly: managedOnly } : {}) }, isoNow(ctx)),
      );
      return { uuid, push: await channel.push(device.id) };
    },
  };
}
