/** Environment variables through which the global setup tells the suites where the test server is. */
export const TEST_ADMIN_URL = 'GRIDHUB_TEST_ADMIN_URL';
export const TEST_TEMPLATE = 'gridhub_test_template';
/** Demo city volume for tests: 2,500 people, 500 places, 250 things, 250 incidents. */
export const TEST_SCALE = 0.05;
