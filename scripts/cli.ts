/**
 * `mdmlab <command> …`: returns the process exit code. Each command's module is loaded when it
 * runs, so `mdmlab report` or a refused flag does not first load the server and every device.
 */
const COMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<number> }> = {
  serve: { summary: 'run the MDM server', run: async (argv) => (await import('./serve.js')).serveCommand(argv) },
  fleet: { summary: 'run a fleet of simulated devices: mdmlab fleet --count N [--mix ios=40,windows10=20,samsungKnox=20,androidForWork=20] [--report DIR]', run: async (argv) => (await import('./fleet.js')).fleetCommand(argv) },
  report: { summary: 'render a report again, or join shards: mdmlab report DIR/report.json | mdmlab report merge A B … --out DIR', run: async (argv) => (await import('./report.js')).reportCommand(argv) },
  demo: { summary: 'the four-platform story "enroll before you set up mail": mdmlab demo [--report DIR] [--serve] [--server URL --token T] [--json]', run: async (argv) => (await import('./demo.js')).demoCommand(argv) },
  scenario: { summary: 'run a scenario file: mdmlab scenario run FILE [--server URL --token T [--ca PEM] [--keep]] [--report DIR] [--json]', run: async (argv) => (await import('./scenario.js')).scenarioCommand(argv) },
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
