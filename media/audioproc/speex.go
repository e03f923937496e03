package audioproc

// #cgo pkg-config: speexdsp
// #include <stdlib.h>
// #include <speex/speex_echo.h>
// #include <speex/speex_preprocess.h>
//
// static void parley_speex_set(SpeexPreprocessState *pp, SpeexEchoState *echo, int aec, int ns, int agc) {
//   int on = 1, off = 0, noise = ns ? -30 : 0, es = -40, esa = -15;
//   float level = 8000.0f;
//   int maxgain = 30;
//   // The residual echo suppressor lives in the denoiser: it stays on for
//   // the AEC, suppressing no noise when NS is off.
//   int denoise = ns || aec;
//   speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_DENOISE, denoise ? &on : &off);
//   speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &noise);
//   speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_ECHO_STATE, aec ? echo : NULL);
//   speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &es);
//   speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &esa);
//   speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_AGC, agc ? &on : &off);
//   speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_AGC_LEVEL, &level);
//   speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_AGC_MAX_GAIN, &maxgain);
// }
//
// static SpeexEchoState *parley_speex_echo(int frame, int tail, int rate) {
//   SpeexEchoState *st = speex_echo_state_init(frame, tail);
//   if (st) speex_echo_ctl(st, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
//   return st;
// }
import "C"

import (
	"fmt"
	"unsafe"
)

// speexEngine is speexdsp: the MDF echo canceller (speex_echo_*) with a
// SpeexTail filter, then the preprocessor (speex_preprocess_*): residual
// echo and noise suppression, AGC and VAD.
type speexEngine struct {
	echo *C.SpeexEchoState
	pp   *C.SpeexPreprocessState
	aec  bool
	// fifo holds far frames for the canceller, which takes one far frame
	// per near frame; ring of up to maxQueued frames.
	fifo frameQueue
	zero []int16
	in   []int16
}

func newSpeex() (engine, error) {
	tail := int(SpeexTail.Seconds() * Rate)
	echo := C.parley_speex_echo(FrameSize, C.int(tail), Rate)
	if echo == nil {
		return nil, fmt.Errorf("audioproc: speex echo canceller did not start")
	}
	pp := C.speex_preprocess_state_init(FrameSize, Rate)
	if pp == nil {
		C.speex_echo_state_destroy(echo)
		return nil, fmt.Errorf("audioproc: speex preprocessor did not start")
	}
	return &speexEngine{echo: echo, pp: pp, zero: make([]int16, FrameSize), in: make([]int16, FrameSize)}, nil
}

func (s *speexEngine) set(o Options) error {
	C.parley_speex_set(s.pp, s.echo, b2i(o.EchoCancel), b2i(o.NoiseSuppress), b2i(o.AutoGain))
	if o.EchoCancel && !s.aec {
		C.speex_echo_state_reset(s.echo)
	}
	s.aec = o.EchoCancel
	return nil
}

func (s *speexEngine) far(frame []int16) { s.fifo.push(frame) }

func (s *speexEngine) near(frame []int16, _ int) bool {
	far := s.zero
	if f, ok := s.fifo.pop(); ok {
		far = f
		defer s.fifo.recycle(f)
	}
	p := (*C.spx_int16_t)(unsafe.Pointer(&frame[0]))
	if s.aec {
		copy(s.in, frame)
		C.speex_echo_cancellation(s.echo, (*C.spx_int16_t)(unsafe.Pointer(&s.in[0])),
			(*C.spx_int16_t)(unsafe.Pointer(&far[0])), p)
	}
	C.speex_preprocess_run(s.pp, p)
	var prob C.int
	C.speex_preprocess_ctl(s.pp, C.SPEEX_PREPROCESS_GET_PROB, unsafe.Pointer(&prob))
	return prob >= 50
}

func (s *speexEngine) close() {
	C.speex_preprocess_state_destroy(s.pp)
	C.speex_echo_state_destroy(s.echo)
	s.pp, s.echo = nil, nil
}
