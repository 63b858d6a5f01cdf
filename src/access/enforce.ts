import {
  defaultFieldResolver,
  getNamedType,
  GraphQLFieldResolver,
  GraphQLSchema,
  isObjectType,
  isScalarType,
} from 'graphql';
import { AccessPolicy, fieldRule, FieldRule, maskByRule } from './policy';

/** Scalars whose values can carry personal data: text and JSON. */
const TEXT_SCALARS = new Set(['String', 'JSON', 'JSONObject']);

/**
 * Puts the masking of the access policy in front of every String and JSON output field of every object type of
 * `schema` (in place), so no field — one added later included — can hand personal data to a role that sees it
 * masked. For other viewers the wrapped resolver returns the value untouched. The context must carry `policy`.
 * @returns the same schema.
 */
export function enforceAccessPolicy(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (!isScalarType(named) || !TEXT_SCALARS.has(named.name)) continue;
      const rule = fieldRule(type.name, field.name);
      if (rule === FieldRule.AS_IS) continue;
      const resolve: GraphQLFieldResolver<unknown, { policy: AccessPolicy }> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const value = resolve(source, args, context, info);
        if (!context.policy.masksPersonalData) return value;
        return value instanceof Promise ? value.then((resolved) => maskByRule(rule, resolved)) : maskByRule(rule, value);
      };
    }
  }
  return schema;
}
