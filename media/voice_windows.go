package media

// newVoiceEngine: WebRTC's audio processing is not cross-built for Windows
// yet (docs/packaging.md), so its calls go unprocessed.
func newVoiceEngine(VoiceProcessing) (voiceEngine, error) { return nil, nil }
