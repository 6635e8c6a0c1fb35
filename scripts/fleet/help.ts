/** `mdmlab fleet --help` (docs/fleet.md has the long form). */
export const FLEET_HELP = `usage: mdmlab fleet [--count N] [--mix ios=40,windows10=20,…] [options]

Simulates N devices against an MDM server until stopped (Ctrl-C, --duration or --until-converged),
with live progress and a final summary per platform. Without --server an embedded mdmlab server on
a temporary store is used.

What the fleet is
  --count N               devices (default 10)
  --mix P=W,…             platforms by weight: ios, windows10, windowsPhone81, samsungKnox,
                          androidForWork (default ios=100); --platform P is --mix P=100
  --manual-first 30%      share of each platform's users who set up the account by hand first
  --profile per-platform  deploy one email profile per platform type (default settings of each);
  --profile FILE          or the profiles of a JSON / YAML file; without --profile none is deployed
  --seed S                same seed → same users, devices, hardware ids, hand-made accounts, timings
  --react-after 1s..5s    how long a user takes to remove an account that blocks the profile
  --app-after 2s..8s      how long after enrolling a user installs the work app a profile waits for
  --check-in 4h           unprompted check-ins of each device (0 = push and user actions only)

How it runs
  --workers N             worker threads (default one per core; 0 = the main thread)
  --concurrency N         enrollments in flight at once (default 32)
  --rate 200/s            enrollments started per second at most
  --enroll-attempts N     tries per device (default 5; retries wait 1 s, 2 s, … up to 30 s)
  --shard K/N             play the K-th of N slices of the fleet (needs --seed); join the shards'
                          reports with mdmlab report merge
  --duration 10m          stop after this long
  --until-converged       stop once every device has its outcome (--until-installed: the same)

What it reports
  --expect 'EXPR'         e.g. 'installed+replaced>=99%', 'ios:blocked==0', 'enroll.p95<=3s';
                          several allowed; exit code 0 when all are met, 1 when one is not
  --report DIR            write DIR/report.json and a self-contained DIR/report.html
  --json                  print the summary as JSON

Which server
  --server URL --token T  an mdmlab server and its admin token (or MDMLAB_ADMIN_TOKEN)
  --ca FILE               the CA (PEM) to trust for https
  --foreign               another MDM server: no admin API; devices enroll from
    --enroll-url URL      its enrollment profile URL, or
    --enroll-profile FILE an enrollment profile file; the operator deploys the profile;
    --discovery-url URL --upn USER --password SECRET
                          Windows devices: MS-MDE2 discovery and on-premise authentication
                          ({n} in the UPN is the device's number: 'u{n}@corp.example')
    --mail-address 'u-{n}@corp.example' --mail-host HOST
                          the account its profile gives (needed for --manual-first)

Ctrl-C (SIGINT or SIGTERM) stops the devices, writes the report so far (marked interrupted) and
prints the summary; a second one exits at once (130/143).
Exit codes: 0 every expectation met (without --expect: every device enrolled), 1 not met, 2 the
fleet cannot run (bad flags, an unreachable server, a wrong token, a server that is not mdmlab's,
a server that refuses enrollments).
`;
