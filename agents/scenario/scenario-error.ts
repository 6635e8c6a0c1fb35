/** The file itself is invalid (exit 2): the path of the offending key and why. */
export class ScenarioFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly line?: number,
  ) {
    super(`${path || '(file)'}${line ? ` (line ${line})` : ''}: ${reason}`);
    this.name = 'ScenarioFileError';
  }
}
