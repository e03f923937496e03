package media

import (
	"sync"
	"sync/atomic"

	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/wave"

	"parley/media/audioproc"
)

// VoiceProcessing is what the send path does to the microphone's sound:
// echo cancellation, noise suppression and automatic gain (media/audioproc,
// WebRTC's audio processing).
type VoiceProcessing struct {
	EchoCancel, NoiseSuppress, AutoGain bool
}

// AllVoiceProcessing is every stage on: what a call uses unless the
// person switched some off.
var AllVoiceProcessing = VoiceProcessing{EchoCancel: true, NoiseSuppress: true, AutoGain: true}

// voiceEngine is the processing chain as the Session uses it:
// audioproc.Processor, in 10 ms frames.
type voiceEngine interface {
	Far(frame []int16)
	Near(frame, out []int16) (voice bool)
	Close() error
}

// voiceFrame is the chain's frame: 10 ms at 48 kHz.
const voiceFrame = opusRate / 100

// voicePath runs the chain on a Session's sound: what the speaker plays
// (the far end, after mixing) and what the microphone captures (the near
// end, processed before it is encoded). Chunks of any length are cut into
// the chain's frames; when near chunks are not whole frames, the sound
// sent is one frame (10 ms) later.
type voicePath struct {
	engine voiceEngine

	farMu sync.Mutex
	far   []int16 // played samples short of a frame

	// Owned by the capture goroutine.
	in, out []int16
	frame   []int16
	voice   atomic.Bool // the last near frame held a voice
}

func newVoicePath(v *VoiceProcessing) (*voicePath, error) {
	if v == nil {
		return nil, nil
	}
	e, err := audioproc.New(audioproc.LibWebRTC, audioproc.Options{EchoCancel: v.EchoCancel, NoiseSuppress: v.NoiseSuppress, AutoGain: v.AutoGain})
	if err != nil {
		return nil, err
	}
	return &voicePath{engine: e, frame: make([]int16, voiceFrame)}, nil
}

// played hands the chain what the speaker is about to play.
func (v *voicePath) played(pcm []int16) {
	if v == nil {
		return
	}
	v.farMu.Lock()
	defer v.farMu.Unlock()
	v.far = append(v.far, pcm...)
	for len(v.far) >= voiceFrame {
		v.engine.Far(v.far[:voiceFrame])
		v.far = v.far[:copy(v.far, v.far[voiceFrame:])]
	}
}

// capture processes r's chunks in place. A chunk that is not 16-bit mono
// passes unprocessed: the capture paths give 16-bit mono.
func (v *voicePath) capture(r audio.Reader) audio.Reader {
	if v == nil {
		return r
	}
	return audio.ReaderFunc(func() (wave.Audio, func(), error) {
		chunk, release, err := r.Read()
		if err != nil {
			return chunk, release, err
		}
		if a, ok := chunk.(*wave.Int16Interleaved); ok && a.Size.Channels == 1 {
			v.process(a.Data)
		}
		return chunk, release, nil
	})
}

// process replaces pcm with the chain's output for it.
func (v *voicePath) process(pcm []int16) {
	v.in = append(v.in, pcm...)
	for len(v.in) >= voiceFrame {
		v.voice.Store(v.engine.Near(v.in[:voiceFrame], v.frame))
		v.out = append(v.out, v.frame...)
		v.in = v.in[:copy(v.in, v.in[voiceFrame:])]
	}
	// With chunks that are not whole frames the output falls short: it
	// then starts a frame late, once, and stays so (a frame of silence,
	// rather than a gap at every chunk).
	if len(v.out) < len(pcm) {
		v.out = append(make([]int16, voiceFrame, voiceFrame+len(v.out)), v.out...)
	}
	n := copy(pcm, v.out)
	v.out = v.out[:copy(v.out, v.out[n:])]
}

// speaking tells whether the last processed frame held a voice; without a
// chain, always.
func (v *voicePath) speaking() bool { return v == nil || v.voice.Load() }

func (v *voicePath) close() {
	if v != nil {
		_ = v.engine.Close()
	}
}
