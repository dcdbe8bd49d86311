package httpadapter

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
)

// The mount points NewHandler serves each contract under and NewClients expects.
const (
	CoreBankingPath = "/corebanking"
	IdentityPath    = "/identity"
	CRMPath         = "/crm"
	DocumentsPath   = "/documents"
	MessagingPath   = "/messaging"
	PersistencePath = "/persistence"
)

// Implementations are the adapters NewHandler serves. A nil field is not served.
type Implementations struct {
	CoreBanking adapters.CoreBanking
	Identity    adapters.Identity
	CRM         adapters.CRM
	Documents   adapters.Documents
	Messaging   adapters.Messaging
	Persistence adapters.Persistence
}

// NewHandler serves every non-nil implementation under its mount point
// (CoreBankingPath, …): one server for all six contracts. At least one is required.
func NewHandler(impls Implementations) (http.Handler, error) {
	mux := http.NewServeMux()
	mounted := 0
	mount := func(prefix string, h http.Handler, err error) error {
		if err != nil {
			return err
		}
		mux.Handle(prefix+"/", http.StripPrefix(prefix, h))
		mounted++
		return nil
	}
	var err error
	if impls.CoreBanking != nil {
		h, e := NewCoreBankingHandler(impls.CoreBanking)
		err = mount(CoreBankingPath, h, e)
	}
	if err == nil && impls.Identity != nil {
		h, e := NewIdentityHandler(impls.Identity)
		err = mount(IdentityPath, h, e)
	}
	if err == nil && impls.CRM != nil {
		h, e := NewCRMHandler(impls.CRM)
		err = mount(CRMPath, h, e)
	}
	if err == nil && impls.Documents != nil {
		h, e := NewDocumentsHandler(impls.Documents)
		err = mount(DocumentsPath, h, e)
	}
	if err == nil && impls.Messaging != nil {
		h, e := NewMessagingHandler(impls.Messaging)
		err = mount(MessagingPath, h, e)
	}
	if err == nil && impls.Persistence != nil {
		h, e := NewPersistenceHandler(impls.Persistence)
		err = mount(PersistencePath, h, e)
	}
	if err != nil {
		return nil, err
	}
	if mounted == 0 {
		return nil, fmt.Errorf("httpadapter: NewHandler: no implementation given: %w", clientele.ErrInvalid)
	}
	return mux, nil
}

// Clients are the six HTTP clients of one server made by NewHandler.
type Clients struct {
	CoreBanking *CoreBanking
	Identity    *Identity
	CRM         *CRM
	Documents   *Documents
	Messaging   *Messaging
	Persistence *Persistence
}

// NewClients builds the six clients of the server at baseURL (e.g.
// "http://localhost:8090"), each at its mount point, with the same options.
func NewClients(baseURL string, opts ...Option) (*Clients, error) {
	base := strings.TrimRight(baseURL, "/")
	var c Clients
	var err error
	if c.CoreBanking, err = NewCoreBanking(base+CoreBankingPath, opts...); err != nil {
		return nil, err
	}
	if c.Identity, err = NewIdentity(base+IdentityPath, opts...); err != nil {
		return nil, err
	}
	if c.CRM, err = NewCRM(base+CRMPath, opts...); err != nil {
		return nil, err
	}
	if c.Documents, err = NewDocuments(base+DocumentsPath, opts...); err != nil {
		return nil, err
	}
	if c.Messaging, err = NewMessaging(base+MessagingPath, opts...); err != nil {
		return nil, err
	}
	if c.Persistence, err = NewPersistence(base+PersistencePath, opts...); err != nil {
		return nil, err
	}
	return &c, nil
}
