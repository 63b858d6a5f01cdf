import { GraphQLJSONObject } from 'graphql-scalars';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Context } from '../server/context';
import { maskIdNumber, maskPhone } from '../shared/id-number';
import { SourceRecord } from './source-record.entity';

const ID_KEYS = /^(id_?number|idcard|id_?card_?no|citizen_?id|sfzh)$/i;
const PHONE_KEYS = /^(phone|mobile|tel|telephone|contact_?phone|lxdh)$/i;

/** Masks ID and phone numbers anywhere in a payload, by key. */
export function maskPayload(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPayload);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (typeof item === 'string' && ID_KEYS.test(key)) return [key, maskIdNumber(item)];
      if (typeof item === 'string' && PHONE_KEYS.test(key)) return [key, maskPhone(item)];
      return [key, maskPayload(item)];
    }),
  );
}

@Resolver(() => SourceRecord)
export class SourceRecordResolver {
  @FieldResolver(() => GraphQLJSONObject, {
    description: 'The record as the source sent it; ID and phone numbers masked unless your role may see them',
  })
  payload(@Root() record: SourceRecord, @Ctx() ctx: Context): unknown {
    return ctx.viewer.seesPersonalData ? record.payload : maskPayload(record.payload);
  }
}
