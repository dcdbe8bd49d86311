// Package httpapitest holds the route tests of package httpapi as scenarios
// that take a Check, so the same requests can be checked against the OpenAPI
// document by a validator (internal/apitest) and run plainly by httpapi's own
// tests. NewEnv serves the API on a database with a test tenant, for an app's
// tests too.
package httpapitest
