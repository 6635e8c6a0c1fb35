import { describe, expect, it } from 'vitest';
import { EMAIL2_MAX_ACCOUNTS } from '../../../../agents/windows/dm-tree/index.js';
import { add, atomic, codes, del, enc, newTree, replace, run } from './helpers.js';

const account = (n: number) => `./User/Vendor/MSFT/EMAIL2/${enc(`{00000000-0000-0000-0000-${String(n).padStart(12, '0')}}`)}`;

describe('EMAIL2 CSP quirks', () => {
  it('takes Add and Replace only inside an Atomic (500 outside); Delete is not held to it', () => {
    const tree = newTree();
    expect(run(tree, add(`${account(1)}/SERVICENAME`, 'Contoso')).code).toBe(500);
    expect(run(tree, atomic(add(`${account(1)}/SERVICENAME`, 'Contoso'))).code).toBe(200);
    expect(run(tree, replace(`${account(1)}/REPLYADDR`, 'a@b.c')).code).toBe(500);
    expect(run(tree, del(account(1))).code).toBe(200);
  });

  it('creates what a Replace names when it is missing (most CSPs answer 404)', () => {
    const tree = newTree();
    expect(run(tree, atomic(replace(`${account(2)}/TAGPROPS/8128000B`, '1'))).code).toBe(200);
    expect(tree.value(`${account(2)}/TAGPROPS/8128000B`)).toBe('1');
  });

  it('refuses to replace SERVICENAME or SERVICETYPE once set (405)', () => {
    const tree = newTree();
    run(tree, atomic(add(`${account(3)}/SERVICENAME`, 'Contoso'), add(`${account(3)}/SERVICETYPE`, 'IMAP4')));
    expect(codes(run(tree, atomic(replace(`${account(3)}/SERVICETYPE`, 'POP3'))))).toEqual([507, 405]);
    expect(codes(run(tree, atomic(replace(`${account(3)}/SERVICENAME`, 'Other'))))).toEqual([507, 405]);
    expect(tree.value(`${account(3)}/SERVICETYPE`)).toBe('IMAP4');
  });

  it(`holds at most ${EMAIL2_MAX_ACCOUNTS} accounts`, () => {
    const tree = newTree();
    for (let i = 1; i <= EMAIL2_MAX_ACCOUNTS; i++) expect(run(tree, atomic(add(`${account(i)}/NAME`, `n${i}`))).code).toBe(200);
    expect(codes(run(tree, atomic(add(`${account(99)}/NAME`, 'one too many'))))).toEqual([507, 500]);
    expect(tree.children('./User/Vendor/MSFT/EMAIL2')).toHaveLength(EMAIL2_MAX_ACCOUNTS);
  });
});
