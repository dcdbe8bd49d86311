// Package authz decides who may do what: typed permissions and roles, the two
// seed catalogues as presets, a small policy language, and the Authorizer every
// domain service calls before it does anything.
package authz
