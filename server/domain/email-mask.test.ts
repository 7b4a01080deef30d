import { describe, expect, it } from 'vitest';
import { maskEmail } from './email-mask.js';

describe('maskEmail', () => {
  it.each([
    ['alice@example.com', 'a****@e******.com'],
    ['t@x.io', 't@x.io'],
    ['carol.smith@mail.example.co.uk', 'c**********@m***.e******.c*.uk'],
    ['ünï@bücher.de', 'ü**@b*****.de'],
    ['root@localhost', 'r***@l********'],
  ])('masks %s as %s', (address, expected) => {
    expect(maskEmail(address)).toBe(expected);
  });
});
