package adapters_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/clientele-go/clientele/adapters"
)

func TestHashToken(t *testing.T) {
	// The hex SHA-256 of "123456".
	const want = "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92"
	assert.Equal(t, want, adapters.HashToken("123456"))
	assert.True(t, adapters.TokenMatches(want, "123456"))
	assert.False(t, adapters.TokenMatches(want, "123457"))
	assert.False(t, adapters.TokenMatches(want[:63], "123456"))
}
