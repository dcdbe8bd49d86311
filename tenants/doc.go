// Package tenants describes the institutions (banks, fintechs) that share one
// deployment of the library, and the Service that creates and changes them.
// Every row the library stores carries its tenant's ID and every query filters
// on it.
//
// # Tenants
//
// A Tenant has an ID (fixed), a name, the authorization preset its catalogue is
// built on (authz.PresetBackofficePlatform or authz.PresetRetailEngine, fixed at
// creation), app subscriptions (authz.AppBackoffice, authz.AppRetail: active or
// inactive; the authz package is the one home of the app names, since its
// policies test them as org.apps.<app>), the client portal switch, settings,
// and a version. Tenant.Validate refuses an unknown preset (such as "retail"),
// an unknown app or state, a malformed ID, a missing name, control characters
// and over-long values, with a *clientele.ValidationError naming each field; a
// tenant is validated before it is stored, by every path.
//
// # Who administers tenants
//
// The node operator of the deployment: an active user of type node operator
// (users.NodeOperator) of the operator tenant named to New. The service decides
// this itself, from the acting user's type and state in the store, rather than
// through the tenant's authorization catalogue: a tenant's catalogue and
// subscriptions are what the service changes, and a tenant whose subscription is
// switched off must still be switchable back on. Blocking the node operator
// takes effect on its next call.
//
//	Create  TN003  node operator
//	List    TN001  node operator
//	Update  TN004  node operator
//	Get     TN002  node operator (any tenant); an active node operator or
//	               originator admin of a tenant (that tenant only)
//
// A tenant another principal may not read is clientele.ErrNotFound, exactly as
// a missing one; a call the principal may not make at all is
// clientele.ErrForbidden. Setup code creates the operator tenant and the first
// tenants with storage's TenantStore.Create, which authorizes nobody (like
// users.Service.Bootstrap).
//
// # Changes
//
// Update applies a Change, an explicit patch (nil fields and unlisted apps are
// left alone), guarded by the version the caller read: a stale version fails
// with clientele.ErrConflict and writes nothing, and of two updates at one
// version exactly one succeeds. Every change writes an audit entry naming the
// changed fields in the same transaction; a change that changes nothing writes
// nothing. The preset cannot be changed (clientele.ErrPrecondition; see
// Service.Update for why). App subscriptions and the portal switch are in force
// at this process's next authorization when the Service was given the
// authz.Authorizer (WithAuthorizer), and in every process within the
// Authorizer's cache TTL (authz.DefaultCacheTTL, 5 s), for which it caches them
// with the tenant's catalogue.
package tenants
