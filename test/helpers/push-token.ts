import WebSocket from 'ws';

/** A token the server's push gateway issued to a device that has disconnected since (pushes to it are held). */
export async function offlinePushToken(server: { url: string; push: { stats(): { connected: number } } }): Promise<string> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/push`);
  const token = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connect' })));
    ws.once('message', (d) => resolve((JSON.parse(d.toString()) as { token: string }).token));
    ws.on('error', reject);
  });
  await new Promise((r) => {
    ws.once('close', r);
    ws.close();
  });
  while (server.push.stats().connected > 0) await new Promise((r) => setTimeout(r, 10));
  return token;
}
