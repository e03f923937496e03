package callcore

// ReadAudio fills pcm with the call's received audio (48 kHz mono) and
// returns how many samples were real; silence when no call is connected.
// A playback device's callback calls it, at its own pace.
func (p *Phone) ReadAudio(pcm []int16) int {
	p.mu.Lock()
	pr := p.chosen
	p.mu.Unlock()
	if pr == nil {
		clear(pcm)
		return 0
	}
	return pr.session.ReadAudio(pcm)
}
