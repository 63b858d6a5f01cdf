import { Field, InputType } from 'type-graphql';
import { GeoCircle } from './geo-circle';

/** The filter fields of what has a name, an address and a location (places, things): one definition for both. */
@InputType()
export abstract class LocatedFilterFields {
  @Field(() => String, {
    nullable: true,
    description:
      'Text search in the name and address: every word (run of letters and digits) is contained, e.g. 三丰 or 新华 12; or, for 2 to 8 Latin letters, the pinyin initials of the name start with them (zsf: 张三丰). Indexed.',
  })
  search?: string | null;

  @Field(() => GeoCircle, { nullable: true, description: 'Located within a radius of a point' })
  near?: GeoCircle | null;

  @Field(() => Date, { nullable: true, description: 'Last changed at or after' })
  updatedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Last changed before' })
  updatedTo?: Date | null;
}
