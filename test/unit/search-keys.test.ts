import { describe, expect, it } from '@jest/globals';
import { searchKeys, searchPlan } from '../../src/shared/search-keys';
import { BadUserInputError } from '../../src/shared/errors';

describe('searchKeys', () => {
  it('keeps single characters and bigrams of a name, pinyin-initials prefixes from two letters, bigrams of the address', () => {
    expect(searchKeys({ personName: '张三丰', others: ['武当路1号'] })).toEqual(
      ['三', '三丰', '丰', '张', '张三', '~zs', '~zsf', '武当', '当路', '路1', '1号'].sort(),
    );
  });

  it("reads a person's surname as a surname first and keeps every reading of a polyphonic character", () => {
    const keys = searchKeys({ personName: '单乐' });
    expect(keys).toContain('~sl');
    expect(keys).toContain('~sy');
    // A place's name is no person's: 解 of 解放路 is jie, not the surname xie.
    expect(searchKeys({ name: '解放路' })).toContain('~jfl');
  });

  it('folds full-width forms and case, and does not join words across punctuation', () => {
    expect(searchKeys({ others: ['ＡＢ·c'] })).toEqual(['ab']);
    expect(searchKeys({ title: '积水 严重' })).toEqual(['严', '严重', '水', '积', '积水', '重'].sort());
  });

  it('caps the spellings of a name of many polyphonic characters', () => {
    const keys = searchKeys({ personName: '长乐行重' }).filter((key) => key.startsWith('~') && key.length === 5);
    expect(keys.length).toBeGreaterThan(1);
    expect(keys.length).toBeLessThanOrEqual(8);
  });
});

describe('searchPlan', () => {
  it('asks for the bigrams of each word, a single character as itself, and initials for 2 to 8 Latin letters', () => {
    expect(searchPlan(' 三丰  路 ', 'f')).toEqual({ literal: { keys: ['三丰'], runs: ['三丰', '路'] }, initials: null });
    expect(searchPlan('路', 'f')).toEqual({ literal: { keys: ['路'], runs: ['路'] }, initials: null });
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
