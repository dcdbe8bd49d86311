package idempotency_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/idempotency"
)

func TestHashIsTheSHA256OfTheJSON(t *testing.T) {
	type req struct {
		B     string            `json:"b"`
		A     int               `json:"a"`
		Attrs map[string]string `json:"attrs,omitempty"`
	}
	got, err := idempotency.Hash(req{B: "x", A: 1, Attrs: map[string]string{"z": "1", "y": "2"}})
	require.NoError(t, err)
	// Field order is the struct's; map keys are sorted.
	sum := sha256.Sum256([]byte(`{"b":"x","a":1,"attrs":{"y":"2","z":"1"}}`))
	assert.Equal(t, hex.EncodeToString(sum[:]), got)

	other, err := idempotency.Hash(req{B: "x", A: 2})
	require.NoError(t, err)
	assert.NotEqual(t, got, other)

	_, err = idempotency.Hash(make(chan int))
	assert.ErrorIs(t, err, clientele.ErrInvalid)
}
