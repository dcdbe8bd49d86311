package httpadapter

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/clientele-go/clientele/adapters"
)

var (
	_ adapters.CoreBanking   = (*CoreBanking)(nil)
	_ adapters.ClientLister  = (*CoreBanking)(nil)
	_ adapters.AccountOpener = (*CoreBanking)(nil)
)

// CoreBanking is the HTTP client of the core banking contract. It implements the
// optional ClientLister and AccountOpener too; when the server lacks them, they
// fail with adapters.ErrNotSupported.
type CoreBanking struct{ c *conn }

// NewCoreBanking returns a client of the core banking handler mounted at baseURL.
func NewCoreBanking(baseURL string, opts ...Option) (*CoreBanking, error) {
	c, err := newConn(baseURL, opts)
	if err != nil {
		return nil, err
	}
	return &CoreBanking{c}, nil
}

func tenantPath(tenantID string) string { return "/tenants/" + esc(tenantID) }

// CreateClient implements adapters.CoreBanking.
func (b *CoreBanking) CreateClient(ctx context.Context, req adapters.CreateClientRequest) (adapters.BankClient, error) {
	if err := req.Validate(); err != nil {
		return adapters.BankClient{}, err
	}
	return do[adapters.BankClient](ctx, b.c, http.MethodPost, tenantPath(req.TenantID)+"/clients", nil, req.IdempotencyKey, req)
}

// UpdateClient implements adapters.CoreBanking.
func (b *CoreBanking) UpdateClient(ctx context.Context, req adapters.UpdateClientRequest) (adapters.BankClient, error) {
	if err := req.Validate(); err != nil {
		return adapters.BankClient{}, err
	}
	return do[adapters.BankClient](ctx, b.c, http.MethodPut, tenantPath(req.TenantID)+"/clients/"+esc(req.ClientID), nil, req.IdempotencyKey, req)
}

// DeactivateClient implements adapters.CoreBanking.
func (b *CoreBanking) DeactivateClient(ctx context.Context, req adapters.DeactivateClientRequest) (adapters.BankClient, error) {
	if err := req.Validate(); err != nil {
		return adapters.BankClient{}, err
	}
	return do[adapters.BankClient](ctx, b.c, http.MethodPost, tenantPath(req.TenantID)+"/clients/"+esc(req.ClientID)+"/deactivate", nil, req.IdempotencyKey, req)
}

// GetClient implements adapters.CoreBanking.
func (b *CoreBanking) GetClient(ctx context.Context, tenantID, clientID string) (adapters.BankClient, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "clientId", Value: clientID}); err != nil {
		return adapters.BankClient{}, err
	}
	return do[adapters.BankClient](ctx, b.c, http.MethodGet, tenantPath(tenantID)+"/clients/"+esc(clientID), nil, "", nil)
}

// ListClients implements adapters.ClientLister.
func (b *CoreBanking) ListClients(ctx context.Context, req adapters.ListClientsRequest) (adapters.ClientPage, error) {
	if err := req.Validate(); err != nil {
		return adapters.ClientPage{}, err
	}
	q := url.Values{}
	setQuery(q, "query", req.Query)
	setQuery(q, "status", string(req.Status))
	setQuery(q, "cursor", req.Cursor)
	if req.Limit != 0 {
		q.Set("limit", strconv.Itoa(req.Limit))
	}
	return do[adapters.ClientPage](ctx, b.c, http.MethodGet, tenantPath(req.TenantID)+"/clients", q, "", nil)
}

func setQuery(q url.Values, name, value string) {
	if value != "" {
		q.Set(name, value)
	}
}

// ListAccounts implements adapters.CoreBanking.
func (b *CoreBanking) ListAccounts(ctx context.Context, req adapters.ListAccountsRequest) ([]adapters.Account, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	q := url.Values{}
	setQuery(q, "type", string(req.Type))
	return do[[]adapters.Account](ctx, b.c, http.MethodGet, tenantPath(req.TenantID)+"/clients/"+esc(req.ClientID)+"/accounts", q, "", nil)
}

// GetAccount implements adapters.CoreBanking.
func (b *CoreBanking) GetAccount(ctx context.Context, tenantID, accountID string) (adapters.Account, error) {
	if err := adapters.ValidateTenant(tenantID, adapters.NamedID{Field: "accountId", Value: accountID}); err != nil {
		return adapters.Account{}, err
	}
	return do[adapters.Account](ctx, b.c, http.MethodGet, tenantPath(tenantID)+"/accounts/"+esc(accountID), nil, "", nil)
}

// OpenAccount implements adapters.AccountOpener.
func (b *CoreBanking) OpenAccount(ctx context.Context, req adapters.OpenAccountRequest) (adapters.Account, error) {
	if err := req.Validate(); err != nil {
		return adapters.Account{}, err
	}
	return do[adapters.Account](ctx, b.c, http.MethodPost, tenantPath(req.TenantID)+"/clients/"+esc(req.ClientID)+"/accounts", nil, req.IdempotencyKey, req)
}

// SetAccountBlocks implements adapters.CoreBanking.
func (b *CoreBanking) SetAccountBlocks(ctx context.Context, req adapters.SetAccountBlocksRequest) ([]adapters.Account, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return do[[]adapters.Account](ctx, b.c, http.MethodPost, tenantPath(req.TenantID)+"/clients/"+esc(req.ClientID)+"/accounts/blocks", nil, req.IdempotencyKey, req)
}

// CloseAccounts implements adapters.CoreBanking.
func (b *CoreBanking) CloseAccounts(ctx context.Context, req adapters.CloseAccountsRequest) ([]adapters.Account, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return do[[]adapters.Account](ctx, b.c, http.MethodPost, tenantPath(req.TenantID)+"/clients/"+esc(req.ClientID)+"/accounts/close", nil, req.IdempotencyKey, req)
}

// Transfer implements adapters.CoreBanking.
func (b *CoreBanking) Transfer(ctx context.Context, req adapters.TransferRequest) (adapters.Transfer, error) {
	if err := req.Validate(); err != nil {
		return adapters.Transfer{}, err
	}
	return do[adapters.Transfer](ctx, b.c, http.MethodPost, tenantPath(req.TenantID)+"/transfers", nil, req.IdempotencyKey, req)
}

// NewCoreBankingHandler serves the core banking contract over impl.
func NewCoreBankingHandler(impl adapters.CoreBanking) (http.Handler, error) {
	if impl == nil {
		return nil, nilImpl("NewCoreBankingHandler")
	}
	return newMux(coreBankingRoutes(impl)), nil
}

func coreBankingRoutes(impl adapters.CoreBanking) []route {
	tenant := func(r *http.Request) string { return r.PathValue("tenantId") }
	return []route{
		{method: "POST", pattern: "/tenants/{tenantId}/clients", op: "CreateClient", summary: "CC001 Create client profile", change: true,
			request: adapters.CreateClientRequest{}, reply: adapters.BankClient{},
			serve: func(r *http.Request) (any, error) {
				var req adapters.CreateClientRequest
				if err := decodeChange(r, maxBodyBytes, &req, &req.IdempotencyKey, bind("tenantId", &req.TenantID)); err != nil {
					return nil, err
				}
				return impl.CreateClient(r.Context(), req)
			}},
		{method: "GET", pattern: "/tenants/{tenantId}/clients", op: "ListClients", summary: "CC008 Fetch / filter clients list",
			query: []string{"query", "status", "cursor", "limit"}, reply: adapters.ClientPage{},
			serve: func(r *http.Request) (any, error) {
				lister, ok := impl.(adapters.ClientLister)
				if !ok {
					return nil, notSupported("ListClients")
				}
				limit, err := queryInt(r, "limit")
				if err != nil {
					return nil, err
				}
				q := r.URL.Query()
				return lister.ListClients(r.Context(), adapters.ListClientsRequest{TenantID: tenant(r), Query: q.Get("query"),
					Status: adapters.Status(q.Get("status")), Cursor: q.Get("cursor"), Limit: limit})
			}},
		{method: "GET", pattern: "/tenants/{tenantId}/clients/{clientId}", op: "GetClient", summary: "CC009 Read client details",
			reply: adapters.BankClient{},
			serve: func(r *http.Request) (any, error) {
				return impl.GetClient(r.Context(), tenant(r), r.PathValue("clientId"))
			}},
		{method: "PUT", pattern: "/tenants/{tenantId}/clients/{clientId}", op: "UpdateClient", summary: "CC002 Update client profile", change: true,
			request: adapters.UpdateClientRequest{}, reply: adapters.BankClient{},
			serve: func(r *http.Request) (any, error) {
				var req adapters.UpdateClientRequest
				if err := decodeChange(r, maxBodyBytes, &req, &req.IdempotencyKey, bind("tenantId", &req.TenantID), bind("clientId", &req.ClientID)); err != nil {
					return nil, err
				}
				return impl.UpdateClient(r.Context(), req)
			}},
		{method: "POST", pattern: "/tenants/{tenantId}/clients/{clientId}/deactivate", op: "DeactivateClient", summary: "CC003 Deactivate client profile", change: true,
			request: adapters.DeactivateClientRequest{}, reply: adapters.BankClient{},
			serve: func(r *http.Request) (any, error) {
				var req adapters.DeactivateClientRequest
				if err := decodeChange(r, maxBodyBytes, &req, &req.IdempotencyKey, bind("tenantId", &req.TenantID), bind("clientId", &req.ClientID)); err != nil {
					return nil, err
				}
				return impl.DeactivateClient(r.Context(), req)
			}},
		{method: "GET", pattern: "/tenants/{tenantId}/clients/{clientId}/accounts", op: "ListAccounts", summary: "CC004 / CC005 Get client savings / credit accounts",
			query: []string{"type"}, reply: []adapters.Account{},
			serve: func(r *http.Request) (any, error) {
				return impl.ListAccounts(r.Context(), adapters.ListAccountsRequest{TenantID: tenant(r), ClientID: r.PathValue("clientId"),
					Type: adapters.AccountType(r.URL.Query().Get("type"))})
			}},
		{method: "POST", pattern: "/tenants/{tenantId}/clients/{clientId}/accounts", op: "OpenAccount", summary: "Open an account (optional ability)", change: true,
			request: adapters.OpenAccountRequest{}, reply: adapters.Account{},
			serve: func(r *http.Request) (any, error) {
				opener, ok := impl.(adapters.AccountOpener)
				if !ok {
					return nil, notSupported("OpenAccount")
				}
				var req adapters.OpenAccountRequest
				if err := decodeChange(r, maxBodyBytes, &req, &req.IdempotencyKey, bind("tenantId", &req.TenantID), bind("clientId", &req.ClientID)); err != nil {
					return nil, err
				}
				return opener.OpenAccount(r.Context(), req)
			}},
		{method: "POST", pattern: "/tenants/{tenantId}/clients/{clientId}/accounts/blocks", op: "SetAccountBlocks", summary: "CC011 Block client credits / debits", change: true,
			request: adapters.SetAccountBlocksRequest{}, reply: []adapters.Account{},
			serve: func(r *http.Request) (any, error) {
				var req adapters.SetAccountBlocksRequest
				if err := decodeChange(r, maxBodyBytes, &req, &req.IdempotencyKey, bind("tenantId", &req.TenantID), bind("clientId", &req.ClientID)); err != nil {
					return nil, err
				}
				return impl.SetAccountBlocks(r.Context(), req)
			}},
		{method: "POST", pattern: "/tenants/{tenantId}/clients/{clientId}/accounts/close", op: "CloseAccounts", summary: "CC010 Close client accounts", change: true,
			request: adapters.CloseAccountsRequest{}, reply: []adapters.Account{},
			serve: func(r *http.Request) (any, error) {
				var req adapters.CloseAccountsRequest
				if err := decodeChange(r, maxBodyBytes, &req, &req.IdempotencyKey, bind("tenantId", &req.TenantID), bind("clientId", &req.ClientID)); err != nil {
					return nil, err
				}
				return impl.CloseAccounts(r.Context(), req)
			}},
		{method: "GET", pattern: "/tenants/{tenantId}/accounts/{accountId}", op: "GetAccount", summary: "Read one account",
			reply: adapters.Account{},
			serve: func(r *http.Request) (any, error) {
				return impl.GetAccount(r.Context(), tenant(r), r.PathValue("accountId"))
			}},
		{method: "POST", pattern: "/tenants/{tenantId}/transfers", op: "Transfer", summary: "Account transfer between savings accounts", change: true,
			request: adapters.TransferRequest{}, reply: adapters.Transfer{},
			serve: func(r *http.Request) (any, error) {
				var req adapters.TransferRequest
				if err := decodeChange(r, maxBodyBytes, &req, &req.IdempotencyKey, bind("tenantId", &req.TenantID)); err != nil {
					return nil, err
				}
				return impl.Transfer(r.Context(), req)
			}},
	}
}
