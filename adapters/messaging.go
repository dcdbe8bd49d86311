package adapters

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/textcheck"
)

// Messaging delivers notifications, one-time passwords and invitations by email or
// SMS (seed 002, MW001, MU002, MC001, MD001). The provider renders the text from the
// message kind and its parameters.
type Messaging interface {
	// Send accepts a message for delivery. Sending again with the same idempotency
	// key and message delivers nothing new and returns the first receipt.
	Send(ctx context.Context, msg Message) (Receipt, error)
}

// MessageKind names the template of a message.
type MessageKind string

// The message kinds and the parameters each expects.
const (
	KindWelcome             MessageKind = "welcome"               // MW001; ParamName
	KindProfileChanged      MessageKind = "profile_changed"       // MU002; ParamName, ParamFields
	KindAccountClosure      MessageKind = "account_closure"       // MC001; ParamName
	KindDevicePINReset      MessageKind = "device_pin_reset"      // MD001; ParamPIN, ParamDevice
	KindOTP                 MessageKind = "otp"                   // ParamCode, ParamExpiresIn
	KindInvitation          MessageKind = "invitation"            // ParamCode or ParamLink, ParamName
	KindDeviceTransferToken MessageKind = "device_transfer_token" // ParamToken, ParamDevice
)

// MessageKinds lists every kind, in declaration order.
func MessageKinds() []MessageKind {
	return []MessageKind{KindWelcome, KindProfileChanged, KindAccountClosure, KindDevicePINReset,
		KindOTP, KindInvitation, KindDeviceTransferToken}
}

// ParseMessageKind accepts the value of one of the kinds.
func ParseMessageKind(s string) (MessageKind, error) {
	for _, k := range MessageKinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("adapters: message kind %q: %w", s, clientele.ErrInvalid)
}

// Well-known message parameters.
const (
	ParamName      = "name"
	ParamFields    = "fields"    // comma-separated changed fields
	ParamCode      = "code"      // an OTP or invitation code
	ParamExpiresIn = "expiresIn" // e.g. "10m"
	ParamLink      = "link"
	ParamPIN       = "pin"
	ParamToken     = "token"
	ParamDevice    = "device"
)

// Channel is the delivery channel.
type Channel string

// The channels.
const (
	Email Channel = "email"
	SMS   Channel = "sms"
)

// ParseChannel accepts "email" and "sms".
func ParseChannel(s string) (Channel, error) {
	switch Channel(s) {
	case Email, SMS:
		return Channel(s), nil
	}
	return "", fmt.Errorf("adapters: channel %q: want email or sms: %w", s, clientele.ErrInvalid)
}

// Message is one message to deliver.
type Message struct {
	TenantID string      `json:"tenantId"`
	Kind     MessageKind `json:"kind"`
	Channel  Channel     `json:"channel"`
	// Recipient is an email address (Email) or an E.164 phone number (SMS).
	Recipient string `json:"recipient"`
	// ClientID, when set, is the client the message concerns.
	ClientID       string            `json:"clientId,omitempty"`
	Params         map[string]string `json:"params,omitempty"`
	IdempotencyKey string            `json:"idempotencyKey"`
}

// Clone returns a deep copy of m.
func (m Message) Clone() Message {
	m.Params = cloneMap(m.Params)
	return m
}

// Validate reports missing or malformed fields.
func (m Message) Validate() error {
	var v validation
	v.required("tenantId", m.TenantID)
	if _, err := ParseMessageKind(string(m.Kind)); err != nil {
		v.Add("kind", "oneof", "unknown message kind")
	}
	switch m.Channel {
	case Email:
		if !textcheck.Email(m.Recipient) {
			v.Add("recipient", "email", "must be an email address")
		}
	case SMS:
		if !textcheck.E164(m.Recipient) {
			v.Add("recipient", "e164", "must be an E.164 phone number")
		}
	default:
		v.Add("channel", "oneof", "must be email or sms")
	}
	v.key(m.IdempotencyKey)
	return v.err()
}

// Receipt acknowledges a message accepted for delivery.
type Receipt struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"tenantId"`
	Status     string    `json:"status"` // "accepted"
	AcceptedAt time.Time `json:"acceptedAt"`
}
