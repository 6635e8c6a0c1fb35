import { describe, expect, it } from 'vitest';
import { applePlatformOf } from '../../../protocol/apple/apple-platform.js';

describe('applePlatformOf', () => {
  it.each([
    ['iPhone15,2', 'iOS'],
    ['iPhone9,3', 'iOS'],
    ['iPad13,1', 'iOS'],
    ['iPod9,1', 'iOS'],
    ['MacBookPro18,3', 'macOS'],
    ['MacBookAir10,1', 'macOS'],
    ['Mac14,2', 'macOS'],
    ['iMac21,1', 'macOS'],
    ['iMacPro1,1', 'macOS'],
    ['Macmini9,1', 'macOS'],
    ['MacPro7,1', 'macOS'],
    ['VirtualMac2,1', 'macOS'],
    ['AppleTV11,1', 'tvOS'],
    ['Watch6,1', 'watchOS'],
    ['RealityDevice14,1', 'visionOS'],
    ['AudioAccessory5,1', 'audioOS'],
    ['iPhone', undefined],
    ['Pixel8,1', undefined],
  ])('ProductName %s → %s', (ProductName, platform) => {
    expect(applePlatformOf({ ProductName }).platform).toBe(platform);
  });

  it('decides by ProductName when there is one, else by the macOS-only keys, else iOS', () => {
    expect(applePlatformOf({ ProductName: 'iPhone15,2', DeviceName: 'phone' }).platform).toBe('iOS');
    expect(applePlatformOf({ Model: 'Mac16,10' })).toEqual({ platform: 'macOS', from: 'Model (sent by macOS only)' });
    expect(applePlatformOf({ ModelName: 'Mac mini' }).platform).toBe('macOS');
    expect(applePlatformOf({ DeviceName: 'Studio' }).platform).toBe('macOS');
    expect(applePlatformOf({})).toEqual({ platform: 'iOS', from: 'no ProductName' });
  });
});
