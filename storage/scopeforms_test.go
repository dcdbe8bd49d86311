package storage

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/clientele-go/clientele/clients"
)

// TestScopeFormsExpireAndStayBounded: a remembered form lasts scopeFormTTL,
// and the memory never holds more than scopeFormsMax scopes.
func TestScopeFormsExpireAndStayBounded(t *testing.T) {
	var c scopeForms
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := scopeFormKey{tenantID: "t1", scope: clients.Scope{OfficeID: "o1"}, limit: 5000}
	_, ok := c.get(k, now)
	assert.False(t, ok)
	c.put(k, formOfficeFirst, now)
	f, ok := c.get(k, now.Add(scopeFormTTL-time.Nanosecond))
	assert.True(t, ok)
	assert.Equal(t, formOfficeFirst, f)
	_, ok = c.get(k, now.Add(scopeFormTTL))
	assert.False(t, ok, "expired")
	_, ok = c.get(scopeFormKey{tenantID: "t1", scope: clients.Scope{OfficeID: "o1"}, limit: 0}, now)
	assert.False(t, ok, "another drive limit is another choice")

	for i := range 2 * scopeFormsMax {
		c.put(scopeFormKey{tenantID: "t1", scope: clients.Scope{AssociateID: fmt.Sprint(i)}}, formWalk, now)
		assert.LessOrEqual(t, len(c.m), scopeFormsMax)
	}

	var full scopeForms
	for i := range scopeFormsMax {
		full.put(scopeFormKey{tenantID: "t1", scope: clients.Scope{AssociateID: fmt.Sprint(i)}}, formWalk, now)
	}
	assert.Len(t, full.m, scopeFormsMax)
	full.put(k, formWalk, now.Add(scopeFormTTL))
	assert.Len(t, full.m, 1, "full of expired entries: they go first")
}
