import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { DmTree, loadWindowsDmSchema, type DmCommand, type DmSchema } from '../../agents/windows/dm-tree/index.js';

/**
 * npm run bench dm-tree [-- --devices 2000] — the simulated Windows device's DM tree: building the
 * shared schema from the DDF files, memory one device's tree holds, and the cost of the commands a
 * server sends (an ActiveSync account in one Atomic, a Get, a snapshot round trip).
 */
const devices = Number(process.argv[process.argv.indexOf('--devices') + 1]) || 2000;
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Median CPU time (user + system) per call, in µs. CPU time rather than wall time: the machine is
 * shared, and a busy neighbour would otherwise be measured too.
 */
function median(f: () => unknown, rounds: number, iterations: number): number {
  for (let i = 0; i < iterations; i++) f();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < iterations; i++) f();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / iterations);
  }
  return samples.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
}

const t0 = process.cpuUsage();
const loaded = loadWindowsDmSchema();
const firstLoad = ((u) => (u.user + u.system) / 1000)(process.cpuUsage(t0));
const loadMs = median(() => loadWindowsDmSchema(), 5, 3) / 1000;
const schema = loaded.schema;
process.stdout.write(`CPU times; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores\n`);
process.stdout.write(`schema: ${schema.size} definitions from ${loaded.files.length} DDF files (${loaded.source}); first load ${firstLoad.toFixed(0)} ms, then ${loadMs.toFixed(1)} ms\n`);

let id = 0;
const cmd = (kind: 'Add' | 'Replace' | 'Get' | 'Delete', target: string, data?: string, format?: string): DmCommand => ({
  kind,
  cmdId: String(++id),
  items: [{ target, ...(data !== undefined ? { data } : {}), ...(format ? { format } : {}) }],
});
const guid = (n: number) => `{${n.toString(16).padStart(8, '0')}-56C4-4EDB-9C64-D9469EE1FBE0}`;
const accountCommands = (n: number): DmCommand => {
  const a = `./User/Vendor/MSFT/ActiveSync/Accounts/${encodeURIComponent(guid(n))}`;
  return {
    kind: 'Atomic',
    cmdId: String(++id),
    commands: [
      cmd('Add', a, undefined, 'node'),
      cmd('Add', `${a}/EmailAddress`, `user${n}@contoso.com`),
      cmd('Add', `${a}/ServerName`, 'mail.contoso.com'),
      cmd('Add', `${a}/UserName`, `user${n}`),
      cmd('Add', `${a}/AccountName`, 'Corp mail'),
      cmd('Add', `${a}/AccountType`, 'Exchange'),
      cmd('Add', `${a}/Options/UseSSL`, '1'),
      cmd('Add', `${a}/Options/MailAgeFilter`, '3'),
      cmd('Add', `${a}/Options/Schedule`, '-1'),
      cmd('Add', `${a}/Options/ContentTypes/%7Bc6d47067-6e92-480e-b0fc-4ba82182fac7%7D/Enabled`, '1'),
    ],
  };
};

/** What an enrolled Windows 10 device holds: DevInfo/DevDetail facts, its DMAcc and DMClient, two certificates, `accounts` mail accounts. */
function enrolledDevice(s: DmSchema, n: number, accounts: number): DmTree {
  const tree = new DmTree(s);
  const cert = randomBytes(900).toString('base64');
  const facts: [string, string][] = [
    ['./DevInfo/DevId', `F00DFACE${n.toString(16).padStart(8, '0')}`],
    ['./DevInfo/Man', 'mdmlab'],
    ['./DevInfo/Mod', 'Simulated PC'],
    ['./DevInfo/DmV', '1.3'],
    ['./DevInfo/Lang', 'en-US'],
    ['./DevDetail/SwV', '10.0.19045.3693'],
    ['./DevDetail/OEM', 'mdmlab'],
    ['./DevDetail/Ext/Microsoft/DNSComputerName', `PC-${n}`],
    ['./DevDetail/Ext/Microsoft/SMBIOSSerialNumber', `SN${n}`],
    ['./SyncML/DMAcc/MDMLab/AppID', 'w7'],
    ['./SyncML/DMAcc/MDMLab/ServerID', 'MDMLab'],
    ['./SyncML/DMAcc/MDMLab/AppAddr/1/Addr', 'https://mdm.contoso.com/ManagementServer/MDM.svc'],
    ['./SyncML/DMAcc/MDMLab/AppAuth/CLIENT/AAuthLevel', 'CLCRED'],
    ['./SyncML/DMAcc/MDMLab/AppAuth/CLIENT/AAuthType', 'DIGEST'],
    ['./SyncML/DMAcc/MDMLab/AppAuth/CLIENT/AAuthName', `F00DFACE${n}`],
    ['./SyncML/DMAcc/MDMLab/AppAuth/CLIENT/AAuthSecret', randomBytes(12).toString('hex')],
    ['./SyncML/DMAcc/MDMLab/AppAuth/APPSRV/AAuthLevel', 'SRVCRED'],
    ['./SyncML/DMAcc/MDMLab/AppAuth/APPSRV/AAuthType', 'DIGEST'],
    ['./Vendor/MSFT/DMClient/Provider/MDMLab/EntDMID', `dev_${n}`],
    ['./Vendor/MSFT/DMClient/Provider/MDMLab/Poll/IntervalForFirstSetOfRetries', '15'],
    ['./Vendor/MSFT/DMClient/Provider/MDMLab/Poll/NumberOfFirstRetries', '8'],
    ['./Vendor/MSFT/DMClient/Provider/MDMLab/Poll/IntervalForRemainingScheduledRetries', '1560'],
    ['./Vendor/MSFT/DMClient/Provider/MDMLab/Push/PFN', 'MDMLab.Push_8wekyb3d8bbwe'],
    ['./Vendor/MSFT/CertificateStore/Root/System/A1B2C3D4/EncodedCertificate', cert],
    ['./Vendor/MSFT/CertificateStore/My/User/E5F6A7B8/EncodedCertificate', cert],
  ];
  for (const [uri, value] of facts) tree.setLocal(uri, value);
  for (let a = 0; a < accounts; a++) tree.execute([accountCommands(a)]);
  return tree;
}

for (const accounts of [1, 3]) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const fleet: DmTree[] = [];
  for (let n = 0; n < devices; n++) fleet.push(enrolledDevice(schema, n, accounts));
  gc();
  const per = (process.memoryUsage().heapUsed - before) / devices;
  const snapshotBytes = JSON.stringify(fleet[0]!.snapshot()).length;
  process.stdout.write(
    `${devices} devices, ${accounts} account(s) each: ${(per / 1024).toFixed(1)} KiB per device tree (${fleet[0]!.nodeCount} nodes; snapshot ${(snapshotBytes / 1024).toFixed(1)} KiB of JSON, of which ~2.4 KiB are the two certificates)\n`,
  );
  fleet.length = 0;
}

const scratch = enrolledDevice(schema, 1, 0);
const install = [accountCommands(7), cmd('Delete', `./User/Vendor/MSFT/ActiveSync/Accounts/${encodeURIComponent(guid(7))}`)];
const installAndDelete = median(() => scratch.execute(install), 5, 2000);
const tree = enrolledDevice(schema, 2, 1);
const getLeaf = median(() => tree.execute([cmd('Get', './User/Vendor/MSFT/ActiveSync/Accounts/%7B00000000-56C4-4EDB-9C64-D9469EE1FBE0%7D/EmailAddress')]), 5, 20000);
const getList = median(() => tree.execute([cmd('Get', './User/Vendor/MSFT/ActiveSync/Accounts/%7B00000000-56C4-4EDB-9C64-D9469EE1FBE0%7D')]), 5, 20000);
const failed = median(
  () => tree.execute([{ kind: 'Atomic', cmdId: '1', commands: [cmd('Replace', './User/Vendor/MSFT/ActiveSync/Accounts/%7B00000000-56C4-4EDB-9C64-D9469EE1FBE0%7D/AccountName', 'x'), cmd('Add', './DevInfo/DevId', 'x')] }]),
  5,
  20000,
);
const roundTrip = median(() => DmTree.restore(schema, JSON.parse(JSON.stringify(tree.snapshot())) as unknown), 5, 2000);
process.stdout.write(
  [
    `ActiveSync account added in one Atomic (10 Adds) and deleted again: ${installAndDelete.toFixed(0)} µs`,
    `Get of a leaf: ${getLeaf.toFixed(2)} µs; Get of an account (interior, lists children): ${getList.toFixed(2)} µs`,
    `Atomic rolled back (Replace 216 + Add 405): ${failed.toFixed(1)} µs`,
    `snapshot → JSON → restore of an enrolled device with one account: ${roundTrip.toFixed(0)} µs`,
  ].join('\n') + '\n',
);
