package storage

// Translate exposes translate to the external tests, which provoke real driver
// errors through dbtest's stores.
var Translate = translate
