package clients

import "github.com/clientele-go/clientele/internal/secret"

// ObserveToken sets the hook called before every device transfer token
// comparison (nil removes it).
func ObserveToken(s *Service, f func(real bool, token string)) { s.observeToken = f }

// CheapPINs makes the service hash device PINs at almost no cost, so tests
// under the race detector stay fast.
func CheapPINs(s *Service) {
	s.pinsOnce.Do(func() {})
	s.pins, s.pinsErr = secret.NewHasher(secret.Cheap(), 0)
}
