import { describe, expect, it } from '@jest/globals';
import { searchKeys, searchPlan } from '../../src/shared/search-keys';
import { BadUserInputError } from '../../src/shared/errors';

describe('searchKeys', () => {
  it('keeps single characters and bigrams of a name, pinyin-initials prefixes from two letters, bigrams of the address', () => {
    expect(searchKeys({ name: '张三丰', others: ['武当路1号'] })).toEqual(
      ['三', '三丰', '丰', '张', '张三', '~zs', '~zsf', '武当', '当路', '路1', '1号'].sort(),
    );
  });

  it('reads a surname as a surname and keeps every reading of a polyphonic given name', () => {
    const keys = searchKeys({ name: '单乐' });
    expect(keys).toContain('~sl');
    expect(keys).toContain('~sy');
    expect(keys).not.toContain('~dl');
  });

  it('folds full-width forms and case, and does not join words across punctuation', () => {
    expect(searchKeys({ others: ['ＡＢ·c'] })).toEqual(['ab']);
    expect(searchKeys({ title: '积水 严重' })).toEqual(['严', '严重', '水', '积', '积水', '重'].sort());
  });

  it('caps the spellings of a name of many polyphonic characters', () => {
    const keys = searchKeys({ name: '长乐行重' }).filter((key) => key.startsWith('~') && key.length === 5);
    expect(keys.length).toBeGreaterThan(1);
    expect(keys.length).toBeLessThanOrEqual(8);
  });
});

describe('searchPlan', () => {
  it('asks for the bigrams of each word, a single character as itself, and initials for 2 to 8 Latin letters', () => {
    expect(searchPlan(' 三丰  路 ', 'f')).toEqual({ literal: { keys: ['三丰', '路'], runs: ['三丰', '路'] }, initials: null });
    expect(searchPlan('ZSF', 'f')).toEqual({ literal: { keys: ['sf', 'zs'], runs: ['zsf'] }, initials: '~zsf' });
    expect(searchPlan('z', 'f').initials).toBeNull();
    expect(searchPlan('zs 1', 'f').initials).toBeNull();
  });

  it('refuses empty, overlong and letterless text, naming the field', () => {
    for (const bad of ['', '   ', 'x'.repeat(51), '——']) {
      expect(() => searchPlan(bad, 'filter.search')).toThrow(BadUserInputError);
    }
  });
});
