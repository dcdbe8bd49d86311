// Package tenants describes the institutions (banks, fintechs) that share one
// deployment of the library. Every row the library stores carries its tenant's ID
// and every query filters on it.
package tenants
