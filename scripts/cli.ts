import { fleetCommand } from './fleet.js';
import { reportCommand } from './report.js';
import { scenarioCommand } from './scenario.js';
import { serveCommand } from './serve.js';

/** `mdmlab <command> …`: returns the process exit code. */
const COMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<number> }> = {
  serve: { summary: 'run the MDM server', run: serveCommand },
  fleet: { summary: 'run a fleet of simulated devices: mdmlab fleet --count N [--mix ios=40,windows10=60] [--report DIR]', run: fleetCommand },
  report: { summary: 'render a report again, or join shards: mdmlab report DIR/report.json | mdmlab report merge A B … --out DIR', run: reportCommand },
  scenario: { summary: 'run a scenario file: mdmlab scenario run FILE [--server URL --token T [--ca PEM] [--keep]] [--json]', run: scenarioCommand },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: mdmlab <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nmdmlab <command> --help shows the command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`mdmlab: unknown command ${name}\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

// Run directly (`node --import tsx scripts/cli.ts …`), as the tests and `npm run` scripts do.
if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
