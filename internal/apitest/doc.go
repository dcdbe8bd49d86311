// Package apitest checks the HTTP API against its OpenAPI document with a real
// validator (pb33f/libopenapi and libopenapi-validator): the document is valid
// OpenAPI 3.1, and the route scenarios of package httpapitest exchange only
// requests and responses the document describes. It is a module of its own so
// the library does not depend on the validator.
package apitest
