package httpapi

import (
	"net/http"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/clients"
)

// DeviceList is the answer of GET /clients/device/{reference} (CL007): the
// client's devices as the Persistence adapter holds them, oldest first.
type DeviceList struct {
	Devices []adapters.Device `json:"devices"`
}

// DeviceTransferInput is the body of POST /clients/device/transfer (CL011),
// one route for both steps: reference, deviceId and toReference start a
// transfer (a one-time token goes to the device's client); transferId and
// token, the token the client received, complete it.
type DeviceTransferInput struct {
	Reference   string `json:"reference,omitempty"`
	DeviceID    string `json:"deviceId,omitempty"`
	ToReference string `json:"toReference,omitempty"`
	TransferID  string `json:"transferId,omitempty"`
	Token       string `json:"token,omitempty"`
}

// registerDevices adds the device routes of seeds 001/002 (CL007,
// CL010–CL013). Every change is accepted (202): it is committed with its audit
// entry and reaches the Persistence adapter and Messaging through the outbox.
func (a *api) registerDevices(auth func(method, pattern string, h handlerFunc)) {
	cs := a.s.Clients
	auth("GET", "/clients/device/{reference}", func(w http.ResponseWriter, r *http.Request) error {
		ds, err := cs.ListDevices(r.Context(), principal(r.Context()), r.PathValue("reference"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, DeviceList{Devices: ds})
		return nil
	})
	auth("POST", "/clients/device/lock", body(a, http.StatusAccepted, func(r *http.Request, in clients.LockInput) (clients.DeviceRequest, error) {
		return cs.LockDevice(r.Context(), principal(r.Context()), in)
	}))
	auth("POST", "/clients/device/activate", body(a, http.StatusAccepted, func(r *http.Request, in clients.ActivateInput) (clients.DeviceRequest, error) {
		return cs.ActivateDevice(r.Context(), principal(r.Context()), in)
	}))
	auth("POST", "/clients/device/resetPIN", body(a, http.StatusAccepted, func(r *http.Request, in clients.DeviceInput) (clients.DeviceRequest, error) {
		return cs.ResetDevicePIN(r.Context(), principal(r.Context()), in)
	}))
	auth("POST", "/clients/device/transfer", body(a, http.StatusAccepted, func(r *http.Request, in DeviceTransferInput) (clients.DeviceTransfer, error) {
		if in.TransferID != "" || in.Token != "" {
			return cs.ConfirmTransfer(r.Context(), principal(r.Context()), clients.ConfirmTransferInput{TransferID: in.TransferID, Token: in.Token})
		}
		return cs.InitiateTransfer(r.Context(), principal(r.Context()), clients.TransferInput{
			DeviceInput: clients.DeviceInput{Reference: in.Reference, DeviceID: in.DeviceID}, ToReference: in.ToReference})
	}))
}
