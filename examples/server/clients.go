package main

import (
	"net/http"
	"strconv"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clients"
)

// listClients serves CL001 (no filter) and CL009 (?filter=…).
func (a *app) listClients(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	req := clients.ListRequest{Filter: q.Get("filter"), Cursor: q.Get("cursor")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return clientele.NewValidationError("limit", "type", "must be a whole number")
		}
		req.Limit = n
	}
	page, err := a.clients.List(r.Context(), principalFrom(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// createClient serves CL003. An Idempotency-Key header makes retries safe.
func (a *app) createClient(w http.ResponseWriter, r *http.Request) error {
	var in clients.CreateInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	c, err := a.clients.Create(r.Context(), principalFrom(r.Context()), in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/clients/profile/"+c.Reference)
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// getClient serves CL002.
func (a *app) getClient(w http.ResponseWriter, r *http.Request) error {
	c, err := a.clients.Get(r.Context(), principalFrom(r.Context()), r.PathValue("reference"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// updateClient serves CL004: the body is the whole profile and the version read.
func (a *app) updateClient(w http.ResponseWriter, r *http.Request) error {
	var in clients.UpdateInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	c, err := a.clients.Update(r.Context(), principalFrom(r.Context()), r.PathValue("reference"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type transitionInput struct {
	Status  clients.State `json:"status"`
	Version int64         `json:"version"`
}

// transitionClient moves a client between pending, active and suspended (an
// update, CL004).
func (a *app) transitionClient(w http.ResponseWriter, r *http.Request) error {
	var in transitionInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	c, err := a.clients.Transition(r.Context(), principalFrom(r.Context()), r.PathValue("reference"), in.Status, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
