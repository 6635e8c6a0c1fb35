/** `npm run bench <name> [args]`: runs scripts/bench/<name>.ts (e.g. `npm run bench apple -- --count 200`). */
const [name, ...rest] = process.argv.slice(2);
const benches = ['apple', 'android-fleet', 'plist', 'cms-abuse', 'syncml', 'push-holds', 'integrity', 'dm-tree'];
if (!name || !benches.includes(name)) {
  process.stderr.write(`usage: npm run bench <${benches.join('|')}> [-- options]\n`);
  process.exit(2);
}
process.argv = [process.argv[0]!, process.argv[1]!, ...rest];
await import(`./${name}.js`);
