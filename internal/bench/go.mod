module github.com/clientele-go/clientele/internal/bench

go 1.26.0

replace github.com/clientele-go/clientele => ../..

require (
	github.com/casbin/casbin/v2 v2.135.0
	github.com/clientele-go/clientele v0.0.0-00010101000000-000000000000
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/bmatcuk/doublestar/v4 v4.6.1 // indirect
	github.com/casbin/govaluate v1.3.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
