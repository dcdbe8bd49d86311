package clients

// ObserveToken sets the hook called before every device transfer token
// comparison (nil removes it).
func ObserveToken(s *Service, f func(real bool, token string)) { s.observeToken = f }
