/**
 * A flag or file the fleet cannot run with (a malformed --mix, --expect or --shard, a profile file
 * that does not parse): one line that says what is wrong, printed as is, exit code 2.
 */
export class FleetInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetInputError';
  }
}
