package main

import (
	"net/http"

	"github.com/clientele-go/clientele/authz"
)

// listPermissions serves GET /permissions?type=all|employee|customer (default
// employee, seed 000).
func (a *app) listPermissions(w http.ResponseWriter, r *http.Request) error {
	t, err := authz.ParseListType(r.URL.Query().Get("type"))
	if err != nil {
		return err
	}
	perms, err := a.roles.ListPermissions(r.Context(), principalFrom(r.Context()), t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": perms})
	return nil
}

// listRoles serves GET /roles?type=all|employee|customer (default employee).
func (a *app) listRoles(w http.ResponseWriter, r *http.Request) error {
	t, err := authz.ParseListType(r.URL.Query().Get("type"))
	if err != nil {
		return err
	}
	roles, err := a.roles.ListRoles(r.Context(), principalFrom(r.Context()), t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": roles})
	return nil
}

// createRole serves POST /roles; a role mixing back-office and customer
// permissions is refused naming the offending permission.
func (a *app) createRole(w http.ResponseWriter, r *http.Request) error {
	var in authz.Role
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	role, err := a.roles.CreateRole(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, role)
	return nil
}

// updateRole serves PUT /roles/{code}: name and permissions; the type cannot change.
func (a *app) updateRole(w http.ResponseWriter, r *http.Request) error {
	var in authz.Role
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	in.Code = r.PathValue("code")
	role, err := a.roles.UpdateRole(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, role)
	return nil
}
