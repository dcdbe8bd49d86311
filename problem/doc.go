// Package problem is the one place in the module that maps the library's error
// kinds to HTTP: the RFC 9457 problem document (Document), the status and the
// stable code of each kind (Status, For), the writer every handler of the module
// uses (Write), and the way back from a response to a kind (KindFor) that HTTP
// clients use. The HTTP API (package httpapi) and the adapter contracts (package
// adapters/httpadapter) both use it, so they answer alike; an application that
// writes its own handlers next to them uses it too.
//
// The table:
//
//	code                    status  kind
//	invalid                 422     clientele.ErrInvalid (field problems in "errors")
//	unauthenticated         401     clientele.ErrUnauthenticated
//	forbidden               403     clientele.ErrForbidden
//	portal_disabled         403     clientele.ErrPortalDisabled
//	not_found               404     clientele.ErrNotFound
//	conflict                409     clientele.ErrConflict
//	precondition_failed     409     clientele.ErrPrecondition
//	not_supported           501     adapters.ErrNotSupported
//	unavailable             503     clientele.ErrUnavailable, a cancelled or expired context
//	internal                500     anything else
//	too_large               413     a request body over the limit (*Error)
//	unsupported_media_type  415     a request body not declared as JSON (*Error)
//
// What a document tells the caller: for invalid input, the field problems; for
// a miss, always the same detail ("no such resource"), so a resource that does
// not exist and one the caller may not see answer alike; for 500 and 503 no
// detail at all, since the cause (a database error, a driver's message) is the
// server's business: the handler logs it. Every other kind carries the error's
// text, which the services write for the caller.
package problem
