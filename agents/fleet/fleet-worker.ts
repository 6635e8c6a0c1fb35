import { parentPort, workerData } from 'node:worker_threads';
import { DeviceRunner } from './device-runner.js';
import { fleetDeviceFactory } from './device-factory.js';
import type { WorkerInput, WorkerMessage } from './share-handle.js';

/**
 * A fleet worker thread: runs its share of the devices (device-runner.ts) and reports to the main
 * thread — live counters every `progressMs`, `refusing` when the server refuses enrollments, and on
 * `stop` its final figures first (so a report is written at once), then `stopped` once its
 * devices have let go of their connections.
 */
const input = workerData as WorkerInput;
const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);

const runner = new DeviceRunner(input.share, fleetDeviceFactory(input.factory));
runner.onRefusing((message) => post({ type: 'refusing', message }));
const ticker = setInterval(() => post({ type: 'progress', progress: runner.progress() }), input.progressMs);
runner.start().then(
  () => post({ type: 'progress', progress: runner.progress() }),
  (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
);

port.on('message', (m: { type: 'stop' }) => {
  if (m.type !== 'stop') return;
  clearInterval(ticker);
  post({ type: 'final', final: runner.final() });
  void runner.stopDevices().finally(() => {
    post({ type: 'stopped' });
    port.close();
  });
});
