package authz

type attrID uint8

const (
	aOrgTenant attrID = iota + 1
	aOrgApp
	aOrgPortal
	aRole
	aOp
	aMemberID
	aMemberUser
	aMemberKind
	aMemberOffice
	aMemberClient
	aMemberClients
	aClientID
	aClientOffice
	aClientStaffOwned
	aClientStaffAssoc
	aClientAssigned
	aAmount
)

type vtype uint8

const (
	vString vtype = iota + 1
	vNumber
	vBool
	vSet     // a set of strings: role, client.assigned
	vClients // member.clients: only "contain"
)

func (t vtype) String() string {
	switch t {
	case vString:
		return "a string"
	case vNumber:
		return "a number"
	case vBool:
		return "true or false"
	case vSet:
		return "a set"
	case vClients:
		return "member.clients"
	}
	return "a value"
}

// App names for org.apps.<app>.
const (
	AppBackoffice = "backoffice"
	AppRetail     = "retail"
)

// attributeNames lists every attribute path, for error messages and docs.
const attributeNames = "org.tenant, org.apps.backoffice, org.apps.retail, org.clientPortal, role, op, " +
	"member.id, member.user, member.kind, member.office, member.client, member.clients, " +
	"client.id, client.office, client.staffOwned, client.staffAssociate, client.assigned, request.amount"

func lookupAttr(path string) (id attrID, key string, t vtype, ok bool) {
	switch path {
	case "org.tenant":
		return aOrgTenant, "", vString, true
	case "org.apps." + AppBackoffice:
		return aOrgApp, AppBackoffice, vString, true
	case "org.apps." + AppRetail:
		return aOrgApp, AppRetail, vString, true
	case "org.clientPortal":
		return aOrgPortal, "", vBool, true
	case "role":
		return aRole, "", vSet, true
	case "op":
		return aOp, "", vString, true
	case "member.id":
		return aMemberID, "", vString, true
	case "member.user":
		return aMemberUser, "", vString, true
	case "member.kind":
		return aMemberKind, "", vString, true
	case "member.office":
		return aMemberOffice, "", vString, true
	case "member.client":
		return aMemberClient, "", vString, true
	case "member.clients":
		return aMemberClients, "", vClients, true
	case "client.id":
		return aClientID, "", vString, true
	case "client.office":
		return aClientOffice, "", vString, true
	case "client.staffOwned":
		return aClientStaffOwned, "", vBool, true
	case "client.staffAssociate":
		return aClientStaffAssoc, "", vString, true
	case "client.assigned":
		return aClientAssigned, "", vSet, true
	case "request.amount":
		return aAmount, "", vNumber, true
	}
	return 0, "", 0, false
}

// placeholders bind {name} to the request's resource.
func lookupPlaceholder(name string) (attrID, bool) {
	switch name {
	case "client":
		return aClientID, true
	case "office":
		return aClientOffice, true
	}
	return 0, false
}

func attrPath(id attrID, key string) string {
	switch id {
	case aOrgTenant:
		return "org.tenant"
	case aOrgApp:
		return "org.apps." + key
	case aOrgPortal:
		return "org.clientPortal"
	case aRole:
		return "role"
	case aOp:
		return "op"
	case aMemberID:
		return "member.id"
	case aMemberUser:
		return "member.user"
	case aMemberKind:
		return "member.kind"
	case aMemberOffice:
		return "member.office"
	case aMemberClient:
		return "member.client"
	case aMemberClients:
		return "member.clients"
	case aClientID:
		return "client.id"
	case aClientOffice:
		return "client.office"
	case aClientStaffOwned:
		return "client.staffOwned"
	case aClientStaffAssoc:
		return "client.staffAssociate"
	case aClientAssigned:
		return "client.assigned"
	case aAmount:
		return "request.amount"
	}
	return "?"
}
