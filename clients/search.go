package clients

import (
	"github.com/clientele-go/clientele/internal/filter"
)

// Page sizes of List.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// SearchSchema is the filter schema of client search (CL001, CL009); storage
// translates the queries it admits. See the package documentation for the language.
func SearchSchema() filter.Schema {
	return filter.Schema{Default: "name", Fields: []filter.Field{
		{Name: "status", Kind: filter.Enum, Ops: []filter.Op{filter.Eq, filter.Ne}, Values: []string{"pending", "active", "suspended", "archived"}},
		{Name: "type", Kind: filter.Enum, Ops: []filter.Op{filter.Eq, filter.Ne}, Values: []string{"individual", "corporate"}},
		{Name: "kyc", Kind: filter.Enum, Ops: []filter.Op{filter.Eq, filter.Ne}, Values: []string{"pending", "verified", "rejected"}},
		{Name: "name", Kind: filter.String, Ops: []filter.Op{filter.Contains, filter.Eq}},
		{Name: "reference", Kind: filter.String, Ops: []filter.Op{filter.Eq, filter.Contains}},
		{Name: "office", Kind: filter.String, Ops: []filter.Op{filter.Eq, filter.Ne}},
		{Name: "email", Kind: filter.String, Ops: []filter.Op{filter.Eq}},
		{Name: "phone", Kind: filter.String, Ops: []filter.Op{filter.Eq}},
		{Name: "created", Kind: filter.Date, Ops: []filter.Op{filter.Eq, filter.Gt, filter.Ge, filter.Lt, filter.Le}},
		{Name: "updated", Kind: filter.Date, Ops: []filter.Op{filter.Eq, filter.Gt, filter.Ge, filter.Lt, filter.Le}},
	}}
}

// ListRequest asks for one page of clients.
type ListRequest struct {
	// Filter is a query in the filter language; empty lists every client.
	Filter string
	// Limit is the page size: 0 means DefaultPageSize; at most MaxPageSize.
	Limit int
	// Cursor is NextCursor of the previous page; empty for the first.
	Cursor string
}

// Page is one page of clients, newest first.
type Page struct {
	Clients []Client `json:"items"`
	// NextCursor fetches the next page; empty on the last one.
	NextCursor string `json:"nextCursor,omitempty"`
}

// cursorPrefix marks the cursors of the client list.
const cursorPrefix = "c1:"
