package media

/*
#cgo pkg-config: opus
#include <opus.h>

// The libopus control calls are variadic macros, which cgo cannot call.
static int parley_opus_enc_setup(OpusEncoder *e, int bitrate, int loss_pct) {
	int rc;
	if ((rc = opus_encoder_ctl(e, OPUS_SET_BITRATE(bitrate))) != OPUS_OK) return rc;
	// In-band FEC lets the receiver rebuild a lost 20 ms frame from the
	// next packet; libopus only spends bits on it when it expects loss.
	if ((rc = opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(1))) != OPUS_OK) return rc;
	if ((rc = opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(loss_pct))) != OPUS_OK) return rc;
	return opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}
static int parley_opus_set_bitrate(OpusEncoder *e, int bitrate) {
	return opus_encoder_ctl(e, OPUS_SET_BITRATE(bitrate));
}
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

const (
	opusRate        = 48000
	opusFrame       = opusRate / 50 // 20 ms, the WebRTC norm
	opusBitrate     = 32000
	opusLossPercent = 10 // what FEC is sized for until RTCP says otherwise
	opusMaxPacket   = 1500
)

// opusEncoder encodes 20 ms frames of 48 kHz mono PCM.
type opusEncoder struct {
	mu  sync.Mutex
	enc *C.OpusEncoder
	buf []byte
}

func newOpusEncoder() (*opusEncoder, error) {
	var rc C.int
	enc := C.opus_encoder_create(opusRate, 1, C.OPUS_APPLICATION_VOIP, &rc)
	if rc != C.OPUS_OK {
		return nil, fmt.Errorf("opus: encoder create: %s", C.GoString(C.opus_strerror(rc)))
	}
	if rc = C.parley_opus_enc_setup(enc, opusBitrate, opusLossPercent); rc != C.OPUS_OK {
		C.opus_encoder_destroy(enc)
		return nil, fmt.Errorf("opus: encoder setup: %s", C.GoString(C.opus_strerror(rc)))
	}
	return &opusEncoder{enc: enc, buf: make([]byte, opusMaxPacket)}, nil
}

// Encode compresses one frame of opusFrame samples. The result is a fresh
// slice.
func (e *opusEncoder) Encode(pcm []int16) ([]byte, error) {
	if len(pcm) != opusFrame {
		return nil, fmt.Errorf("opus: frame of %d samples, want %d", len(pcm), opusFrame)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.enc == nil {
		return nil, errors.New("opus: encoder closed")
	}
	n := C.opus_encode(e.enc, (*C.opus_int16)(&pcm[0]), C.int(len(pcm)), (*C.uchar)(&e.buf[0]), C.opus_int32(len(e.buf)))
	if n < 0 {
		return nil, fmt.Errorf("opus: encode: %s", C.GoString(C.opus_strerror(n)))
	}
	return append([]byte(nil), e.buf[:n]...), nil
}

// SetBitRate follows the bandwidth estimate, within what Opus accepts.
func (e *opusEncoder) SetBitRate(bps int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.enc == nil {
		return errors.New("opus: encoder closed")
	}
	if rc := C.parley_opus_set_bitrate(e.enc, C.int(min(max(bps, 6000), 510000))); rc != C.OPUS_OK {
		return fmt.Errorf("opus: set bitrate: %s", C.GoString(C.opus_strerror(rc)))
	}
	return nil
}

// Close frees the encoder; it is idempotent.
func (e *opusEncoder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.enc != nil {
		C.opus_encoder_destroy(e.enc)
		e.enc = nil
	}
	return nil
}

// opusDecoder decodes to 48 kHz mono PCM. It is used by one goroutine, the
// receiver of the audio track.
type opusDecoder struct {
	dec *C.OpusDecoder
}

func newOpusDecoder() (*opusDecoder, error) {
	var rc C.int
	dec := C.opus_decoder_create(opusRate, 1, &rc)
	if rc != C.OPUS_OK {
		return nil, fmt.Errorf("opus: decoder create: %s", C.GoString(C.opus_strerror(rc)))
	}
	return &opusDecoder{dec: dec}, nil
}

// Decode decodes packet into pcm and returns the samples written. With fec
// it decodes instead the frame before packet from its in-band FEC data (or
// conceals it when there is none), for a packet that was lost.
func (d *opusDecoder) Decode(packet []byte, pcm []int16, fec bool) (int, error) {
	var data *C.uchar
	if len(packet) > 0 {
		data = (*C.uchar)(unsafe.Pointer(&packet[0]))
	}
	frame := len(pcm)
	if fec {
		// FEC recovers exactly one frame; its size is that of a frame.
		frame = opusFrame
	}
	flag := C.int(0)
	if fec {
		flag = 1
	}
	n := C.opus_decode(d.dec, data, C.opus_int32(len(packet)), (*C.opus_int16)(&pcm[0]), C.int(frame), flag)
	if n < 0 {
		return 0, fmt.Errorf("opus: decode: %s", C.GoString(C.opus_strerror(n)))
	}
	return int(n), nil
}

// Close frees the decoder.
func (d *opusDecoder) Close() { C.opus_decoder_destroy(d.dec) }
