// Package audit defines the audit entry every mutation of the library writes in the
// same transaction as the change it records.
package audit
