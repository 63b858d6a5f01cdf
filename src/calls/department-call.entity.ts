import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

/** Where a call (乡呼县应) stands: each step is one mutation, in this order. */
export enum CallStatus {
  CALLED = 'CALLED',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  ANSWERED = 'ANSWERED',
  RATED = 'RATED',
}
registerEnumType(CallStatus, {
  name: 'CallStatus',
  description: 'Where a call of a town on a county department stands (乡呼县应); each step is one mutation, in this order',
  valuesConfig: {
    CALLED: { description: 'Placed by the town (呼叫, `callDepartment`), awaiting acknowledgement' },
    ACKNOWLEDGED: { description: 'Acknowledged by the called department (响应, `acknowledgeCall`), awaiting its report' },
    ANSWERED: { description: 'The department reported back (反馈, `answerCall`), awaiting the town’s rating' },
    RATED: { description: 'The town rated the answer (评价, `rateCall`); finished' },
  },
});

/**
 * A call (乡呼县应): a town command centre asks a county department for help on one of its cases; the department
 * acknowledges within the acknowledgement time, reports back within the case's due-time limit, and the town rates
 * the answer. Deadlines are fixed when the call is placed. Scoped by its incident's grid.
 */
@ObjectType({
  description:
    'A call of a town command centre on a county department about a case ("the town calls, the county answers", 乡呼县应): ' +
    'placed, acknowledged, answered, rated',
})
@Entity({ tableName: 'department_call' })
@Index({ properties: ['incidentId', 'id'] })
export class DepartmentCall {
  @Field(() => ID)
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Field(() => ID, { description: 'The case it is about' })
  @Property({ type: 'bigint', runtimeType: 'string' })
  incidentId!: string;

  @Field({ description: 'The county department called (被呼叫部门), as the responsibility list names it' })
  @Property({ type: 'text' })
  department!: string;

  @Field(() => CallStatus)
  @Enum({ items: () => CallStatus })
  status: CallStatus = CallStatus.CALLED;

  @Field({ description: 'What the town asks for (呼叫事由)' })
  @Property({ type: 'text' })
  note!: string;

  @Field({ description: 'Who placed it (subject of the town command centre’s token)' })
  @Property({ type: 'text' })
  calledBy!: string;

  @Field({ description: 'When it was placed (呼叫时间)' })
  @Property({ type: 'Date', columnType: 'timestamptz' })
  calledAt!: Date;

  @Field({ description: 'Acknowledge by (响应时限): calledAt plus the acknowledgement time configured when it was placed' })
  @Property({ type: 'Date', columnType: 'timestamptz' })
  acknowledgeDueAt!: Date;

  @Field(() => String, { nullable: true, description: 'Who acknowledged it (subject of the department seat’s token)' })
  @Property({ type: 'text', nullable: true })
  acknowledgedBy?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the department acknowledged it (响应时间)' })
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  acknowledgedAt?: Date | null;

  @Field({
    description:
      'Answer by (反馈时限): calledAt plus the due-time limit (处置时限) of the case’s category and severity, as when it was placed',
  })
  @Property({ type: 'Date', columnType: 'timestamptz' })
  answerDueAt!: Date;

  @Field(() => String, { nullable: true, description: 'Who answered it (subject of the department seat’s token)' })
  @Property({ type: 'text', nullable: true })
  answeredBy?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the department reported back (反馈时间)' })
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  answeredAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'The department’s report (反馈内容)' })
  @Property({ type: 'text', nullable: true })
  report?: string | null;

  @Field(() => Int, { nullable: true, description: 'The town’s rating of the answer, 1–5 (满意度)' })
  @Property({ type: 'smallint', nullable: true })
  satisfaction?: number | null;

  @Field(() => String, { nullable: true, description: 'The town’s comment with its rating (评价意见)' })
  @Property({ type: 'text', nullable: true })
  ratingComment?: string | null;

  @Field(() => String, { nullable: true, description: 'Who rated it (subject of the town command centre’s token)' })
  @Property({ type: 'text', nullable: true })
  ratedBy?: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was rated' })
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  ratedAt?: Date | null;

  @Field(() => Int, { description: 'Optimistic-lock version, 1 when placed and one more per step; pass it as expectedVersion' })
  @Property({ type: 'integer', version: true })
  version: number = 1;
}
