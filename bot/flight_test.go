package bot

// waiting reports how many callers wait on the run for key.
func (f *flights) waiting(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.m[key]; ok {
		return c.waiters
	}
	return 0
}
