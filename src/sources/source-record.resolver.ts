import { GraphQLJSONObject } from 'graphql-scalars';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Context } from '../server/context';
import { maskDate, maskIdNumber, maskPhone, maskText } from '../shared/id-number';
import { SourceRecord } from './source-record.entity';

const ID_KEYS = /^(id_?(number|no|card(_?no)?)|citizen_?id|sfzh(m)?)$/i;
const PHONE_KEYS = /^(phone(_?number)?|mobile(_?phone)?|tel(ephone)?|contact_?phone|lxdh|sjhm)$/i;

/**
 * Masks ID and phone numbers anywhere in a payload — whole values under the usual key names, and any ID or
 * mobile number found inside other text (remarks, addresses, keys a system names its own way) — and reduces
 * calendar dates to their year.
 */
export function maskPayload(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => maskPayload(item, key));
  if (typeof value === 'number' && (PHONE_KEYS.test(key) || /^1[3-9]\d{9}$/.test(String(value)))) {
    return maskPhone(String(value));
  }
  if (typeof value === 'string') {
    if (ID_KEYS.test(key)) return maskIdNumber(value);
    if (PHONE_KEYS.test(key)) return maskPhone(value);
    // Any calendar date may be a birth date (or a birthday, like a senior allowance's start): year only.
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return maskDate(value);
    return maskText(value);
  }
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, maskPayload(item, name)]));
}

@Resolver(() => SourceRecord)
export class SourceRecordResolver {
  @FieldResolver(() => GraphQLJSONObject, {
    description: 'The record as the source sent it; ID and phone numbers masked unless your role may see them',
  })
  payload(@Root() record: SourceRecord, @Ctx() ctx: Context): unknown {
    return ctx.viewer.seesPersonalData ? record.payload : maskPayload(record.payload);
  }

  @FieldResolver(() => String, {
    description: "The record's key in its source system; ID and phone numbers in it masked unless your role may see them",
  })
  sourceKey(@Root() record: SourceRecord, @Ctx() ctx: Context): string {
    return ctx.viewer.seesPersonalData ? record.sourceKey : maskText(record.sourceKey);
  }
}
