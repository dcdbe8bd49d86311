// Package testkit holds fixtures shared by the library's tests: principals, an
// allow-all authorizer for tests of storage behaviour, and sample inputs.
package testkit
