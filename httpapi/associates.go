package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/associates"
)

// The bodies of the office and associate routes that change one thing. Each
// carries the version the caller read: another one is 409 and changes nothing.

// VersionInput is the body of POST /offices/{id}/close and POST
// /associates/{id}/deactivate.
type VersionInput struct {
	Version int64 `json:"version"`
}

// RenameInput is the body of POST /offices/{id}/rename.
type RenameInput struct {
	Version int64  `json:"version"`
	Name    string `json:"name"`
}

// ParentInput is the body of POST /offices/{id}/move and POST
// /associates/{id}/parent: the new parent, or none (a root) when parentId is
// left out or empty.
type ParentInput struct {
	Version  int64  `json:"version"`
	ParentID string `json:"parentId,omitempty"`
}

// TransferInput is the body of POST /associates/{id}/transfer.
type TransferInput struct {
	Version  int64  `json:"version"`
	OfficeID string `json:"officeId"`
}

// AgentInput is the body of POST /associates/{id}/agent: agent true tags the
// associate as an agent, false untags it; it is required.
type AgentInput struct {
	Version int64 `json:"version"`
	Agent   *bool `json:"agent"`
}

// LinkInput is the body of POST /associates/{id}/links.
type LinkInput struct {
	Entity associates.Entity `json:"entity"`
}

// registerAssociates adds the routes of package associates: offices,
// classifications, associates and their links.
func (a *api) registerAssociates(auth func(method, pattern string, h handlerFunc)) {
	as := a.s.Associates

	// Offices: a tree. Rename, move and close are separate calls, as in the
	// service, each with the version read.
	auth("GET", "/offices", listed(func(r *http.Request, req associates.ListRequest) (associates.Page[associates.Office], error) {
		return as.ListOffices(r.Context(), principal(r.Context()), r.URL.Query().Get("root"), req)
	}))
	auth("POST", "/offices", created(a, "offices/", func(r *http.Request, in associates.NewOffice) (associates.Office, string, error) {
		o, err := as.CreateOffice(r.Context(), principal(r.Context()), in)
		return o, o.ID, err
	}))
	auth("GET", "/offices/{id}", read(func(r *http.Request, id string) (associates.Office, error) {
		return as.GetOffice(r.Context(), principal(r.Context()), id)
	}))
	auth("POST", "/offices/{id}/rename", body(a, http.StatusOK, func(r *http.Request, in RenameInput) (associates.Office, error) {
		return as.RenameOffice(r.Context(), principal(r.Context()), r.PathValue("id"), in.Version, in.Name)
	}))
	auth("POST", "/offices/{id}/move", body(a, http.StatusOK, func(r *http.Request, in ParentInput) (associates.Office, error) {
		return as.MoveOffice(r.Context(), principal(r.Context()), r.PathValue("id"), in.Version, in.ParentID)
	}))
	auth("POST", "/offices/{id}/close", body(a, http.StatusOK, func(r *http.Request, in VersionInput) (associates.Office, error) {
		return as.CloseOffice(r.Context(), principal(r.Context()), r.PathValue("id"), in.Version)
	}))

	// Classifications: created once, never changed.
	auth("GET", "/classifications", listed(func(r *http.Request, req associates.ListRequest) (associates.Page[associates.Classification], error) {
		return as.ListClassifications(r.Context(), principal(r.Context()), req)
	}))
	auth("POST", "/classifications", created(a, "classifications/", func(r *http.Request, in associates.NewClassification) (associates.Classification, string, error) {
		c, err := as.CreateClassification(r.Context(), principal(r.Context()), in)
		return c, c.ID, err
	}))
	auth("GET", "/classifications/{id}", read(func(r *http.Request, id string) (associates.Classification, error) {
		return as.GetClassification(r.Context(), principal(r.Context()), id)
	}))

	// Associates: PATCH changes the fields it names; office, parent, agent
	// tag and state each have their own call.
	auth("GET", "/associates", listed(func(r *http.Request, req associates.ListRequest) (associates.Page[associates.Associate], error) {
		return as.ListAssociates(r.Context(), principal(r.Context()), r.URL.Query().Get("root"), req)
	}))
	auth("POST", "/associates", created(a, "associates/", func(r *http.Request, in associates.NewAssociate) (associates.Associate, string, error) {
		x, err := as.CreateAssociate(r.Context(), principal(r.Context()), in)
		return x, x.ID, err
	}))
	auth("GET", "/associates/{id}", read(func(r *http.Request, id string) (associates.Associate, error) {
		return as.GetAssociate(r.Context(), principal(r.Context()), id)
	}))
	auth("PATCH", "/associates/{id}", body(a, http.StatusOK, func(r *http.Request, in associates.Change) (associates.Associate, error) {
		return as.UpdateAssociate(r.Context(), principal(r.Context()), r.PathValue("id"), in)
	}))
	auth("POST", "/associates/{id}/deactivate", body(a, http.StatusOK, func(r *http.Request, in VersionInput) (associates.Associate, error) {
		return as.Deactivate(r.Context(), principal(r.Context()), r.PathValue("id"), in.Version)
	}))
	auth("POST", "/associates/{id}/transfer", body(a, http.StatusOK, func(r *http.Request, in TransferInput) (associates.Associate, error) {
		return as.Transfer(r.Context(), principal(r.Context()), r.PathValue("id"), in.Version, in.OfficeID)
	}))
	auth("POST", "/associates/{id}/parent", body(a, http.StatusOK, func(r *http.Request, in ParentInput) (associates.Associate, error) {
		return as.SetParent(r.Context(), principal(r.Context()), r.PathValue("id"), in.Version, in.ParentID)
	}))
	auth("POST", "/associates/{id}/agent", body(a, http.StatusOK, func(r *http.Request, in AgentInput) (associates.Associate, error) {
		if in.Agent == nil {
			// The service authorizes before it checks input; so does this
			// route. A call naming no associate is authorized, then is
			// ErrNotFound; any other answer (403, 503) is the caller's.
			if _, err := as.SetAgent(r.Context(), principal(r.Context()), "", 0, false); clientele.Kind(err) != clientele.ErrNotFound {
				return associates.Associate{}, err
			}
			v := clientele.NewValidationError("agent", "required", "is required: true tags the associate as an agent, false untags it")
			if in.Version < 1 {
				v.Add("version", "required", "is required: the version you read")
			}
			return associates.Associate{}, v
		}
		return as.SetAgent(r.Context(), principal(r.Context()), r.PathValue("id"), in.Version, *in.Agent)
	}))

	// Links: many associates to one center, group, client, loan or savings.
	auth("GET", "/associates/{id}/links", listed(func(r *http.Request, req associates.ListRequest) (associates.Page[associates.Link], error) {
		return as.AssociateLinks(r.Context(), principal(r.Context()), r.PathValue("id"), req)
	}))
	auth("POST", "/associates/{id}/links", body(a, http.StatusOK, func(r *http.Request, in LinkInput) (associates.Link, error) {
		return as.Link(r.Context(), principal(r.Context()), r.PathValue("id"), in.Entity)
	}))
	auth("DELETE", "/associates/{id}/links/{kind}/{entityId}", func(w http.ResponseWriter, r *http.Request) error {
		e := associates.Entity{Kind: associates.EntityKind(r.PathValue("kind")), ID: r.PathValue("entityId")}
		removed, err := as.Unlink(r.Context(), principal(r.Context()), r.PathValue("id"), e)
		if err != nil {
			return entityFields(err, "kind", "entityId")
		}
		if !removed {
			return fmt.Errorf("the associate is not linked to that %s: %w", e.Kind, clientele.ErrNotFound)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	auth("GET", "/links", listed(func(r *http.Request, req associates.ListRequest) (associates.Page[associates.Link], error) {
		q := r.URL.Query()
		page, err := as.EntityLinks(r.Context(), principal(r.Context()), associates.Entity{Kind: associates.EntityKind(q.Get("kind")), ID: q.Get("id")}, req)
		return page, entityFields(err, "kind", "id")
	}))
}

// listed serves a keyset-paged list: ?cursor= and ?limit= become the
// ListRequest fn lists with.
func listed[T any](fn func(r *http.Request, req associates.ListRequest) (associates.Page[T], error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		req := associates.ListRequest{Cursor: q.Get("cursor")}
		var err error
		if req.Limit, err = limit(q); err != nil {
			return err
		}
		page, err := fn(r, req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, page)
		return nil
	}
}

// read serves one resource named by the {id} path segment.
func read[T any](fn func(r *http.Request, id string) (T, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := fn(r, r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}
}

// created decodes a JSON body, calls fn and answers 201 with what it made
// and a Location relative to the collection's path (prefix + its ID), so it
// is right whatever prefix the API is mounted under.
func created[In, Out any](a *api, prefix string, fn func(r *http.Request, in In) (Out, string, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := decodeBody(w, r, a.maxBody, &in); err != nil {
			return err
		}
		out, id, err := fn(r, in)
		if err != nil {
			return err
		}
		w.Header().Set("Location", prefix+url.PathEscape(id))
		writeJSON(w, http.StatusCreated, out)
		return nil
	}
}

// entityFields renames the problems the service names "entity.kind" and
// "entity.id" after the query parameters or path segments the entity came
// in, so a 422 names what the caller sent. Any other error is returned as it
// is.
func entityFields(err error, kind, id string) error {
	var v *clientele.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	out := &clientele.ValidationError{}
	for _, p := range v.Problems {
		switch p.Field {
		case "entity.kind":
			p.Field = kind
		case "entity.id":
			p.Field = id
		}
		out.Add(p.Field, p.Rule, p.Message)
	}
	return out
}
