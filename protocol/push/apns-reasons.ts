/**
 * The refusals of the push gateway's HTTP API, in APNs' own form: an HTTP status and a JSON body
 * `{"reason": …}` with the reason strings and statuses APNs documents (Apple Developer, "Handling
 * notification responses from APNs", table of error reasons). Only the reasons the gateway can
 * give are listed.
 */
export const APNS_REASONS = {
  BadDeviceToken: { status: 400, meaning: 'the device token is not one this gateway issued' },
  BadExpirationDate: { status: 400, meaning: 'apns-expiration is not a UNIX time in seconds' },
  BadPayload: { status: 400, meaning: 'the body is not a JSON object of strings' },
  BadTopic: { status: 400, meaning: 'apns-topic is not a topic (printable ASCII, at most 255 characters)' },
  MissingTopic: { status: 400, meaning: 'apns-topic is missing' },
  PayloadEmpty: { status: 400, meaning: 'the body is empty' },
  MissingProviderToken: { status: 403, meaning: 'no bearer token in the authorization header' },
  InvalidProviderToken: { status: 403, meaning: 'the bearer token is not the provider token' },
  PayloadTooLarge: { status: 413, meaning: 'the body is larger than 4096 bytes' },
  ServiceUnavailable: { status: 503, meaning: 'the gateway holds as many notifications as it may' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ApnsReason = keyof typeof APNS_REASONS;

/** APNs caps a notification payload at 4 KB (Apple Developer, "Sending notification requests to APNs"). */
export const APNS_MAX_PAYLOAD_BYTES = 4096;

/** Longest apns-topic accepted: topics are reverse-DNS names (`com.apple.mgmt.External.<uuid>`), far shorter. */
export const APNS_MAX_TOPIC_LENGTH = 255;

export const isApnsTopic = (s: string): boolean => s.length > 0 && s.length <= APNS_MAX_TOPIC_LENGTH && /^[\x21-\x7e]+$/.test(s);
