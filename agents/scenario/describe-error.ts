import { AdminApiError } from '../admin/admin-client.js';

/** An error as a run's report shows it: the API's own code and field when the server refused. */
export function describeError(err: unknown): string {
  if (err instanceof AdminApiError) return `the server refused (${err.status} ${err.code}${err.field ? ` on ${err.field}` : ''}): ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
