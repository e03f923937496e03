package media

import (
	"errors"
	"fmt"
	"image"
	"time"

	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/mediadevices/pkg/wave"
)

// The encoders plug into mediadevices' codec interfaces (a builder makes a
// codec.ReadCloser that pulls raw media from a reader), so that they can
// also serve its tracks. They exist because mediadevices' own cannot be
// tuned for calls: its VP8 encoder has no speed setting and runs at
// libvpx's slowest, and its Opus encoder cannot turn on in-band FEC.

// vp8Builder builds real-time VP8 encoders.
type vp8Builder struct {
	bitrate int
	fps     int
}

var _ codec.VideoEncoderBuilder = vp8Builder{}

func (vp8Builder) RTPCodec() *codec.RTPCodec { return codec.NewRTPVP8Codec(90000) }

func (b vp8Builder) BuildVideoEncoder(r video.Reader, p prop.Media) (codec.ReadCloser, error) {
	enc, err := newVP8Encoder(p.Width, p.Height, b.fps, b.bitrate)
	if err != nil {
		return nil, err
	}
	gov := frameGovernor{interval: time.Second / time.Duration(max(b.fps, 1))}
	return &vp8Reader{r: video.ToI420(r), enc: enc, gov: gov}, nil
}

type vp8Reader struct {
	r   video.Reader
	enc *vp8Encoder
	gov frameGovernor
}

// Read encodes the next frame the governor keeps. It blocks in the source,
// without the encoder's lock, so key frame and bitrate requests never wait
// for a frame.
func (v *vp8Reader) Read() ([]byte, func(), error) {
	for {
		img, release, err := v.r.Read()
		if err != nil {
			return nil, func() {}, err
		}
		if v.gov.skip(v.enc.BitRate()) {
			release()
			continue
		}
		yuv, ok := img.(*image.YCbCr)
		if !ok {
			release()
			return nil, func() {}, fmt.Errorf("vp8: source gave a %T", img)
		}
		start := time.Now()
		frame, _, err := v.enc.Encode(yuv)
		v.gov.encoded(time.Since(start))
		release()
		return frame, func() {}, err
	}
}

func (v *vp8Reader) Controller() codec.EncoderController { return v.enc }
func (v *vp8Reader) Close() error                        { return v.enc.Close() }

// opusBuilder builds Opus encoders of 20 ms mono frames.
type opusBuilder struct{}

var _ codec.AudioEncoderBuilder = opusBuilder{}

func (opusBuilder) RTPCodec() *codec.RTPCodec { return codec.NewRTPOpusCodec(opusRate) }

func (opusBuilder) BuildAudioEncoder(r audio.Reader, p prop.Media) (codec.ReadCloser, error) {
	if p.SampleRate != opusRate {
		return nil, fmt.Errorf("opus: source rate %d Hz, want %d", p.SampleRate, opusRate)
	}
	enc, err := newOpusEncoder()
	if err != nil {
		return nil, err
	}
	return &opusReader{r: r, enc: enc, pcm: make([]int16, 0, opusFrame)}, nil
}

type opusReader struct {
	r       audio.Reader
	enc     *opusEncoder
	pcm     []int16    // the frame being filled
	left    wave.Audio // the chunk being consumed
	release func()     // frees left
	off     int
}

// Read encodes the next 20 ms, mixing the source down to mono; sources
// deliver chunks of any length.
func (o *opusReader) Read() ([]byte, func(), error) {
	for len(o.pcm) < opusFrame {
		if o.left == nil || o.off >= o.left.ChunkInfo().Len {
			if o.release != nil {
				o.release()
			}
			chunk, release, err := o.r.Read()
			if err != nil {
				o.left, o.release = nil, nil
				return nil, func() {}, err
			}
			o.left, o.release, o.off = chunk, release, 0
			if chunk.ChunkInfo().Channels < 1 {
				return nil, func() {}, errors.New("opus: source has no channels")
			}
		}
		info := o.left.ChunkInfo()
		for ; o.off < info.Len && len(o.pcm) < opusFrame; o.off++ {
			var sum int64
			for ch := range info.Channels {
				sum += o.left.At(o.off, ch).Int() >> 16
			}
			o.pcm = append(o.pcm, int16(sum/int64(info.Channels)))
		}
	}
	packet, err := o.enc.Encode(o.pcm)
	o.pcm = o.pcm[:0]
	return packet, func() {}, err
}

func (o *opusReader) Controller() codec.EncoderController { return o.enc }
func (o *opusReader) Close() error                        { return o.enc.Close() }
