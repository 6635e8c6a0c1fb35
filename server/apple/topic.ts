import { randomUUID } from 'node:crypto';
import type { Store } from '../store/port.js';

/** The server setting that holds the topic; a database that has one has served Apple devices. */
export const TOPIC_SETTING = 'apple.topic';

/**
 * The APNs topic of this server. Real servers take it from the push certificate's UID; ours is
 * made once and kept, because devices enrolled under a topic only answer pushes for it.
 */
export async function loadOrCreateTopic(store: Store): Promise<string> {
  const existing = await store.settings.get(TOPIC_SETTING);
  if (existing) return existing;
  const topic = `com.apple.mgmt.External.${randomUUID()}`;
  await store.settings.set(TOPIC_SETTING, topic);
  return topic;
}
