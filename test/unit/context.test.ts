import { describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { Role, Viewer } from '../../src/auth/viewer';
import { defaultWorkflowOptions } from '../../src/incidents/incident-workflow.service';
import { callOptions } from '../../src/calls/department-call.service';
import { DEFAULT_PRIORITIES } from '../../src/ingest/priorities';
import { PersonService } from '../../src/people/person.service';
import { buildContext, Context } from '../../src/server/context';

/**
 * The request context's laziness: what it makes (an entity manager's fork, loaders, services) is made when a
 * resolver first asks, once per request, and shared with the copy Apollo hands resolvers. Nothing here reads a
 * database: the entity manager is only forked, never queried (the API tests read through real contexts).
 */
function contextCountingForks(): { context: Context; forks: () => number } {
  let forks = 0;
  const em = { fork: () => (forks++, em) };
  const orm = { em } as unknown as MikroORM;
  const viewer = new Viewer('context-test', new Set([Role.COMMAND_CENTER]), '150302', null);
  const workflow = defaultWorkflowOptions();
  const calls = callOptions({ acknowledgeMinutes: 30, responsibilities: workflow.responsibilities, due: workflow.due });
  const context = buildContext(orm, viewer, { maxBatch: 10, priorities: DEFAULT_PRIORITIES }, workflow, calls, { maxGroups: 100, minCell: 5 });
  return { context, forks: () => forks };
}

/** What Apollo Server does to the context before execution (ApolloServer.js, cloneObject). */
const apolloCopy = <T extends object>(object: T): T => Object.assign(Object.create(Object.getPrototypeOf(object)), object);

describe('the request context', () => {
  it('makes nothing for a request that reads nothing, even once Apollo has copied it', () => {
    const { context, forks } = contextCountingForks();
    const copy = apolloCopy(context);
    expect(copy.viewer).toBe(context.viewer);
    expect(forks()).toBe(0);
  });

  it('makes the loaders once, shared by the context and its copy', () => {
    const { context, forks } = contextCountingForks();
    const copy = apolloCopy(context);
    const loaders = copy.loaders;
    expect(context.loaders).toBe(loaders);
    expect(apolloCopy(copy).loaders).toBe(loaders);
    expect(forks()).toBe(1);
  });

  it('makes each service when first asked for, once', () => {
    const { context } = contextCountingForks();
    const copy = apolloCopy(context);
    const services = copy.services;
    expect(Object.getOwnPropertyDescriptor(services, 'workflow')?.get).toBeDefined();
    const people = services.people;
    expect(people).toBeInstanceOf(PersonService);
    expect(context.services.people).toBe(people);
    expect(Object.getOwnPropertyDescriptor(services, 'people')?.value).toBe(people);
    expect(Object.getOwnPropertyDescriptor(services, 'workflow')?.get).toBeDefined();
  });

  it('reads afresh in place: the loaders a copy holds are replaced with new ones on a new fork', () => {
    const { context, forks } = contextCountingForks();
    const copy = apolloCopy(context);
    context.readAfresh();
    expect(forks()).toBe(0);
    const loaders = copy.loaders;
    const person = loaders.person;
    copy.readAfresh();
    expect(context.loaders).toBe(loaders);
    expect(loaders.person).not.toBe(person);
    expect(forks()).toBe(2);
  });
});
