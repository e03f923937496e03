package platform

import (
	"runtime"
	"sync"

	"github.com/gen2brain/malgo"
)

var audio struct {
	sync.Mutex
	ctx *malgo.AllocatedContext
}

// audioContext returns the process's audio context, made on first use. A
// failure is not kept: a sound card plugged in later is found next time.
func audioContext() (ctx *malgo.AllocatedContext, err error) {
	audio.Lock()
	defer audio.Unlock()
	if audio.ctx != nil {
		return audio.ctx, nil
	}
	defer guard("audio", &err)
	ctx, err = malgo.InitContext(backends(), malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, err
	}
	audio.ctx = ctx
	return ctx, nil
}

// backends are the real audio systems of each OS. They are named rather
// than left to miniaudio's default list, which ends with its "null"
// backend: with no sound card that one would open and play into nothing,
// and a person would hear silence instead of being told.
func backends() []malgo.Backend {
	switch runtime.GOOS {
	case "windows":
		return []malgo.Backend{malgo.BackendWasapi, malgo.BackendDsound, malgo.BackendWinmm}
	case "darwin", "ios":
		return []malgo.Backend{malgo.BackendCoreaudio}
	case "android":
		return []malgo.Backend{malgo.BackendAaudio, malgo.BackendOpensl}
	default:
		return []malgo.Backend{malgo.BackendPulseaudio, malgo.BackendAlsa, malgo.BackendJack, malgo.BackendSndio, malgo.BackendOss}
	}
}
