//go:build !windows

package media

import "parley/media/audioproc"

func newVoiceEngine(v VoiceProcessing) (voiceEngine, error) {
	return audioproc.New(audioproc.LibWebRTC, audioproc.Options{EchoCancel: v.EchoCancel, NoiseSuppress: v.NoiseSuppress, AutoGain: v.AutoGain})
}
