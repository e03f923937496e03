package audioproc

// #cgo pkg-config: webrtc-audio-processing
// #cgo CXXFLAGS: -std=c++11 -Wno-deprecated-declarations
// #include "apm_shim.h"
import "C"

import (
	"fmt"
	"unsafe"
)

// webrtcEngine is WebRTC's AudioProcessing through apm_shim.cc: the
// legacy AEC with delay-agnostic mode and the extended filter, NS at its
// high level with the high-pass filter, adaptive digital AGC, and its VAD.
type webrtcEngine struct {
	a *C.parley_apm
}

func newWebRTC() (engine, error) {
	a := C.parley_apm_new()
	if a == nil {
		return nil, fmt.Errorf("audioproc: webrtc audio processing did not start")
	}
	return &webrtcEngine{a: a}, nil
}

func b2i(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func (w *webrtcEngine) set(o Options) error {
	if err := C.parley_apm_set(w.a, b2i(o.EchoCancel), b2i(o.NoiseSuppress), b2i(o.AutoGain)); err != 0 {
		return fmt.Errorf("audioproc: webrtc: error %d", int(err))
	}
	return nil
}

func (w *webrtcEngine) far(frame []int16) {
	C.parley_apm_far(w.a, (*C.int16_t)(unsafe.Pointer(&frame[0])))
}

func (w *webrtcEngine) near(frame []int16, delayMs int) bool {
	var voice C.int
	C.parley_apm_near(w.a, (*C.int16_t)(unsafe.Pointer(&frame[0])), C.int(delayMs), &voice)
	return voice != 0
}

func (w *webrtcEngine) close() {
	C.parley_apm_free(w.a)
	w.a = nil
}
