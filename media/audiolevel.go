package media

import (
	"math"
	"strings"
	"sync/atomic"

	"github.com/pion/interceptor"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/wave"
	"github.com/pion/rtp"
)

// audioLevelURI names the RFC 6464 client-to-mixer audio level header
// extension: with it on every audio packet, the SFU of a group call tells
// who speaks without decoding anything.
const audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

// silentLevel is RFC 6464's level of silence, in -dBov.
const silentLevel = 127

// levelOf is the level of a chunk of sound in -dBov (0 the loudest, 127
// silence): its RMS relative to a full-scale signal.
func levelOf(chunk wave.Audio) uint8 {
	info := chunk.ChunkInfo()
	n := info.Len * info.Channels
	if n == 0 {
		return silentLevel
	}
	var sum float64
	for i := range info.Len {
		for ch := range info.Channels {
			v := float64(wave.Int16SampleFormat.Convert(chunk.At(i, ch)).(wave.Int16Sample)) / 32768
			sum += v * v
		}
	}
	if sum == 0 {
		return silentLevel
	}
	dB := -10 * math.Log10(sum/float64(n))
	return uint8(min(max(math.Round(dB), 0), silentLevel))
}

// meterAudio passes r's chunks on, storing the level of the latest in
// level: silence when voice says it held none (the processing's voice
// detection), so that only speech counts as speaking.
func meterAudio(r audio.Reader, level *atomic.Uint32, voice func() bool) audio.Reader {
	return audio.ReaderFunc(func() (wave.Audio, func(), error) {
		chunk, release, err := r.Read()
		if err == nil {
			l := uint8(silentLevel)
			if voice() {
				l = levelOf(chunk)
			}
			level.Store(uint32(l))
		}
		return chunk, release, err
	})
}

// audioLevelStamp is an interceptor that puts the microphone's latest
// level on every audio packet sent, when the extension was negotiated.
type audioLevelStamp struct {
	interceptor.NoOp
	level *atomic.Uint32
}

func (a *audioLevelStamp) BindLocalStream(info *interceptor.StreamInfo, writer interceptor.RTPWriter) interceptor.RTPWriter {
	var id uint8
	for _, e := range info.RTPHeaderExtensions {
		if e.URI == audioLevelURI {
			id = uint8(e.ID)
		}
	}
	if id == 0 || !strings.HasPrefix(strings.ToLower(info.MimeType), "audio/") {
		return writer
	}
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, attrs interceptor.Attributes) (int, error) {
		if err := h.SetExtension(id, []byte{byte(a.level.Load())}); err != nil {
			return 0, err
		}
		return writer.Write(h, payload, attrs)
	})
}

// audioLevelFactory makes the stamp of each PeerConnection of a Session.
type audioLevelFactory struct{ level *atomic.Uint32 }

func (f audioLevelFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &audioLevelStamp{level: f.level}, nil
}
