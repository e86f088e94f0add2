import { sha256Hex, sha256OfFields } from '../../src/platform/sha256';
import { configChecksum } from '../../src/workloads/stats/connection';

describe('sha256Hex', () => {
  test.each([
    // FIPS 180-2, appendix B.1, and the digest of no input.
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ])('GIVEN %j THEN its digest is the published one, in lowercase hex', (input, digest) => {
    expect(sha256Hex(input)).toBe(digest);
  });

  test('GIVEN a string with non-ASCII characters THEN it is hashed as its UTF-8 bytes', () => {
    expect(sha256Hex('Zürich é')).toBe(sha256Hex(Buffer.from('Zürich é', 'utf8')));
    expect(sha256Hex('Zürich é')).not.toBe(sha256Hex(Buffer.from('Zürich é', 'latin1')));
  });
});

describe('sha256OfFields', () => {
  test('THEN each field is followed by a NUL byte, so moving a boundary changes the digest', () => {
    expect(sha256OfFields(['ab', 'c'])).toBe(sha256Hex('ab\0c\0'));
    expect(sha256OfFields(['ab', 'c'])).not.toBe(sha256OfFields(['a', 'bc']));
    expect(sha256OfFields([])).toBe(sha256Hex(''));
  });

  test('GIVEN ConfigMap data THEN configChecksum is the digest it has always been (pods roll only when the data changes)', () => {
    // Pinned from the earlier streaming implementation: `key\0value\0` per sorted key, then `\0` per ConfigMap.
    expect(configChecksum({ 'pipeline.conf': 'input {}', 'b': 'é' }, { x: '1' }))
      .toBe('c3b82e3d03ab7fb66d576211f3e9a9f2450ded0216415d8f5418918233faca92');
    expect(configChecksum({ 'b': 'é', 'pipeline.conf': 'input {}' }, { x: '1' }))
      .toBe(configChecksum({ 'pipeline.conf': 'input {}', 'b': 'é' }, { x: '1' }));
  });
});
