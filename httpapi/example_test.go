package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters/memory"
	"github.com/clientele-go/clientele/authz"
	"github.com/clientele-go/clientele/clients"
	"github.com/clientele-go/clientele/httpapi"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/tenants"
	"github.com/clientele-go/clientele/users"
)

// Example mounts the API under /bank/ next to a route of the app's own, with
// the app's own authentication (here a header an API gateway sets after it
// authenticated the caller) in place of the library's bearer tokens.
func Example() {
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://:memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	_ = db.Tenants().Create(ctx, tenants.Tenant{ID: "bank", Name: "Example Bank", Preset: authz.PresetRetailEngine,
		Apps: map[authz.App]authz.AppState{authz.AppRetail: authz.AppActive}})
	az, _ := authz.New(db.Authz(), db.Authz())
	cs, _ := clients.New(db.Clients(), az)
	us, _ := users.New(db.Users(), az, az, db.Clients(), db.Associates(), memory.NewMessaging(), memory.NewIdentity())
	roles, _ := authz.NewRoleService(db.Authz(), az)

	gateway := func(r *http.Request) (authz.Principal, error) {
		if r.Header.Get("X-Gateway-User") == "" {
			return authz.Principal{}, clientele.ErrUnauthenticated
		}
		return authz.Principal{TenantID: "bank", UserID: r.Header.Get("X-Gateway-User"),
			Kind: authz.Backoffice, Roles: []string{authz.RetailAdministrator}}, nil
	}
	api, err := httpapi.New(httpapi.Services{Clients: cs, Users: us, Roles: roles}, httpapi.WithAuthenticator(gateway))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/bank/", http.StripPrefix("/bank", api))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })

	get := func(path, user string) int {
		req := httptest.NewRequest("GET", path, nil)
		if user != "" {
			req.Header.Set("X-Gateway-User", user)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec.Code
	}
	fmt.Println(get("/healthz", ""))
	fmt.Println(get("/bank/clients/profile", ""))
	fmt.Println(get("/bank/clients/profile", "u1"))
	fmt.Println(get("/bank/openapi.json", ""))
	// Output:
	// 200
	// 401
	// 200
	// 200
}
