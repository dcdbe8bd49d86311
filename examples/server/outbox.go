package main

import (
	"context"
	"log/slog"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
)

// demoOutbox is the demo's messaging: the in-memory fake, plus a log line per
// message so whoever runs the demo can read invitation codes. DEMO ONLY: a real
// deployment never logs one-time codes.
type demoOutbox struct {
	*memory.Messaging
	log *slog.Logger
}

func (d demoOutbox) Send(ctx context.Context, m adapters.Message) (adapters.Receipt, error) {
	r, err := d.Messaging.Send(ctx, m)
	if err == nil {
		d.log.InfoContext(ctx, "demo message (not sent anywhere)", "kind", m.Kind, "channel", m.Channel, "to", m.Recipient, "params", m.Params)
	}
	return r, err
}
