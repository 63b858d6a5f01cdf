import { Field, Float, InputType } from 'type-graphql';

@InputType({ description: 'A circle on the ground: a point (WGS-84 degrees) and a radius in metres (at most 50,000)' })
export class GeoCircle {
  @Field(() => Float)
  lng!: number;

  @Field(() => Float)
  lat!: number;

  @Field(() => Float)
  radiusMetres!: number;
}
