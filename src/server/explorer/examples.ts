/**
 * The explorer's saved queries: the README's examples, one tab each when a browser first opens the explorer.
 * test/unit/explorer-examples.test.ts checks that each is valid against the schema, and
 * test/api/explorer-http.test.ts that the hub answers each without an error, so that they cannot rot.
 */
export interface ExplorerExample {
  /** The operation's name, which GraphiQL shows as the tab's title. */
  name: string;
  /** The document, with a first comment line saying what it shows and for which token. */
  query: string;
  /** Variables as JSON text, when the document declares any. */
  variables?: string;
}

export const EXPLORER_EXAMPLES: readonly ExplorerExample[] = [
  {
    name: 'Overview',
    query: `# The districts of 乌海市 and a first page of people in 海勃湾区 (what \`npm start\` prints)
query Overview {
  regions(parentCode: "1503") { code name }
  people(filter: { regionCode: "150302" }, first: 3) { totalCount edges { node { name gender grid { name } } } }
}
`,
  },
  {
    name: 'ElderlyLivingAlone',
    query: `# Elderly people living alone in 海勃湾区, with their grid (ANALYST tokens read phones masked)
query ElderlyLivingAlone {
  people(filter: { regionCode: "150302", tagsAny: [ELDERLY_LIVING_ALONE] }, first: 3) {
    totalCount
    edges { node { name phone grid { name } regionPath { name } } }
  }
}
`,
  },
  {
    name: 'OverdueCases',
    query: `# A district command centre's view: its towns and its overdue cases, newest first
query OverdueCases {
  region(code: "150302000000") { code name divisionCode path { name } }
  regions(parentCode: "150302", level: TOWN) { code name }
  incidents(filter: { regionCode: "150302", statuses: [DISPATCHED, IN_PROGRESS], overdue: true },
            orderBy: { field: REPORTED_AT, direction: DESC }, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { caseNumber title status level grid { name } parties { role person { name } } events { type at } } }
  }
}
`,
  },
  {
    name: 'TownDashboard',
    query: `# One dashboard row per town of 海勃湾区: open and overdue cases under it
query TownDashboard {
  regions(parentCode: "150302", level: TOWN) { name counts { people incidents openIncidents overdueIncidents } }
}
`,
  },
  {
    name: 'LatestReports',
    query: `# People of a grid and the ten cases each of them reported last
query LatestReports {
  people(filter: { regionCode: "150302001002" }, first: 5) {
    edges {
      node {
        name
        incidents(role: REPORTER, first: 10, orderBy: { field: REPORTED_AT, direction: DESC }) { incident { caseNumber title reportedAt } }
      }
    }
  }
}
`,
  },
  {
    name: 'DepartmentScorecard',
    query: `# The department scorecard (部门考核) of 海勃湾区 for a month (ADMIN, COMMAND_CENTER, ANALYST)
query DepartmentScorecard($from: DateTimeISO!, $to: DateTimeISO!) {
  departmentScorecard(regionCode: "150302", from: $from, to: $to) {
    department received acknowledgedOnTime resolved resolvedOnTime returned meanSecondsToResolve meanSatisfaction
  }
}
`,
    variables: `{ "from": "2026-10-01T00:00:00+08:00", "to": "2026-11-01T00:00:00+08:00" }`,
  },
];
