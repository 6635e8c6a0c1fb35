import { describe, expect, it } from 'vitest';
import { delayBefore, pollScheduleIn } from '../../../agents/windows/poll-schedule.js';
import { DmTree } from '../../../agents/windows/dm-tree/index.js';
import { windowsDmDefinitions } from '../../../agents/windows/dm-schema-cache.js';
import { WINDOWS_VARIANTS } from '../../../agents/windows/variant.js';

const MIN = 60_000;

describe('the DMClient poll schedule', () => {
  it('follows the first, second and remaining sets (the DMClient CSP sample: 8 × 15 min, 5 × 3 min, then every 1560 min)', () => {
    const s = { numberOfFirstRetries: 8, intervalForFirstSetOfRetries: 15, numberOfSecondRetries: 5, intervalForSecondSetOfRetries: 3, numberOfRemainingScheduledRetries: 0, intervalForRemainingScheduledRetries: 1560 };
    const delays = Array.from({ length: 16 }, (_, n) => delayBefore(s, n)! / MIN);
    expect(delays).toEqual([15, 15, 15, 15, 15, 15, 15, 15, 3, 3, 3, 3, 3, 1560, 1560, 1560]);
  });

  it('stops when the sets are used up, repeats for ever on 0 remaining (or 0 first) retries, skips a set with a 0 interval', () => {
    expect(delayBefore({ numberOfFirstRetries: 2, intervalForFirstSetOfRetries: 5, intervalForRemainingScheduledRetries: 0 }, 2)).toBeUndefined();
    expect(delayBefore({ numberOfFirstRetries: 2, intervalForFirstSetOfRetries: 5, intervalForRemainingScheduledRetries: 60, numberOfRemainingScheduledRetries: 1 }, 3)).toBeUndefined();
    expect(delayBefore({ numberOfFirstRetries: 0, intervalForFirstSetOfRetries: 5 }, 1000)).toBe(5 * MIN);
    expect(delayBefore({ numberOfFirstRetries: 1, intervalForFirstSetOfRetries: 0, intervalForRemainingScheduledRetries: 480 }, 0)).toBe(480 * MIN);
    // Nothing provisioned: Windows' defaults, 10 sessions 15 minutes apart.
    expect(delayBefore({}, 9)).toBe(15 * MIN);
    expect(delayBefore({}, 10)).toBeUndefined();
  });

  it('reads the schedule the tree holds now (the server may have replaced it)', () => {
    const defs = windowsDmDefinitions(WINDOWS_VARIANTS.windows10);
    const tree = new DmTree(defs.schema, { handlers: defs.handlers });
    const p = './Vendor/MSFT/DMClient/Provider/mdmlab';
    tree.setLocal(`${p}/Poll/IntervalForFirstSetOfRetries`, '3');
    tree.setLocal(`${p}/Poll/NumberOfFirstRetries`, '10');
    tree.setLocal(`${p}/Poll/PollOnLogin`, 'true');
    expect(pollScheduleIn(tree, p)).toEqual({ intervalForFirstSetOfRetries: 3, numberOfFirstRetries: 10, pollOnLogin: true });
  });
});
