import { describe, expect, it } from 'vitest';
import {
  children,
  contentOf,
  integer,
  octetsOf,
  oid,
  parseDer,
  readOid,
  readString,
  readTime,
  readUnsignedInteger,
  seq,
  setOf,
  Tag,
  time,
  tlv,
} from '../../certs/der.js';
import { CertsError } from '../../certs/errors.js';
import { expectCertsError } from './helpers.js';

describe('DER writer and reader', () => {
  it('round-trips OIDs with large arcs', () => {
    for (const o of ['1.2.840.113549.1.1.11', '2.16.840.1.113733.1.9.7', '0.9.2342.19200300.100.1.25', '2.5.29.37.0']) {
      expect(readOid(parseDer(oid(o)))).toBe(o);
    }
    expect(oid('1.2.840.113549').toString('hex')).toBe('06062a864886f70d');
  });

  it('encodes INTEGERs minimally with a sign octet when the top bit is set', () => {
    expect(integer(0).toString('hex')).toBe('020100');
    expect(integer(127).toString('hex')).toBe('02017f');
    expect(integer(128).toString('hex')).toBe('02020080');
    expect(integer(Buffer.from('0000ff', 'hex')).toString('hex')).toBe('020200ff');
    expect(readUnsignedInteger(parseDer(integer(Buffer.from('80ff', 'hex')))).toString('hex')).toBe('80ff');
  });

  it('uses long-form lengths above 127 bytes', () => {
    const big = tlv(Tag.OCTET_STRING, Buffer.alloc(300, 7));
    expect(big.subarray(0, 4).toString('hex')).toBe('0482012c');
    expect(contentOf(parseDer(big)).length).toBe(300);
  });

  it('sorts SET OF elements by encoding (X.690 §11.6)', () => {
    const s = setOf([integer(5), integer(1), integer(3)]);
    expect(children(parseDer(s)).map((c) => contentOf(c)[0])).toEqual([1, 3, 5]);
  });

  it('writes UTCTime before 2050 and GeneralizedTime after, and reads both back', () => {
    const d1 = new Date(Date.UTC(2024, 1, 29, 12, 34, 56));
    const d2 = new Date(Date.UTC(2051, 0, 1, 0, 0, 0));
    expect(time(d1)[0]).toBe(Tag.UTC_TIME);
    expect(time(d2)[0]).toBe(Tag.GENERALIZED_TIME);
    expect(readTime(parseDer(time(d1))).getTime()).toBe(d1.getTime());
    expect(readTime(parseDer(time(d2))).getTime()).toBe(d2.getTime());
  });

  it('reads BER indefinite lengths and constructed OCTET STRINGs', () => {
    // SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "cd" } }
    const ber = Buffer.from('3080' + '2480' + '04026162' + '04026364' + '0000' + '0000', 'hex');
    const top = parseDer(ber);
    const [os] = children(top);
    expect(octetsOf(os!).toString()).toBe('abcd');
  });

  it('decodes BMPString and TeletexString values', () => {
    expect(readString(parseDer(Buffer.from('1e0400e90041', 'hex')))).toBe('éA');
    expect(readString(parseDer(Buffer.from('1402e941', 'hex')))).toBe('éA');
  });

  it('rejects truncated, overrunning and trailing input with badDer', () => {
    for (const hex of ['30', '3005020101', '020101ff', '3080020101']) {
      expect(() => parseDer(Buffer.from(hex, 'hex'))).toThrow(CertsError);
    }
    expectCertsError(() => parseDer(Buffer.from('3005020101', 'hex')), 'badDer');
    expect(() => children(parseDer(integer(1)))).toThrow(/constructed/);
    expect(seq().toString('hex')).toBe('3000');
  });
});
