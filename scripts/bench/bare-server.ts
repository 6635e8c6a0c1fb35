import http from 'node:http';

/**
 * The ceiling of any check-in path (README, "Benchmarks"): a bare node:http server that reads a PUT
 * body and answers an empty 200. Run as a child process by the Apple benchmark.
 */
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.statusCode = 200;
    res.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
