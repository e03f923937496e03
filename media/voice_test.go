package media

import (
	"slices"
	"testing"
)

// echoEngine stands in for the processing chain: it negates each near
// frame and records the far frames, so that the framing can be checked.
type echoEngine struct {
	far    [][]int16
	frames int
}

func (e *echoEngine) Far(f []int16) { e.far = append(e.far, slices.Clone(f)) }
func (e *echoEngine) Near(f, out []int16) bool {
	e.frames++
	for i, v := range f {
		out[i] = -v
	}
	return true
}
func (e *echoEngine) Close() error { return nil }

func TestVoicePathFraming(t *testing.T) {
	ramp := func(from, n int) []int16 {
		s := make([]int16, n)
		for i := range s {
			s[i] = int16(from + i)
		}
		return s
	}
	t.Run("whole frames come out at once", func(t *testing.T) {
		e := &echoEngine{}
		v := &voicePath{engine: e, frame: make([]int16, voiceFrame)}
		pcm := ramp(1, 2*voiceFrame) // a 20 ms chunk
		v.process(pcm)
		if e.frames != 2 || pcm[0] != -1 || pcm[2*voiceFrame-1] != -2*voiceFrame {
			t.Fatalf("frames %d, first %d, last %d", e.frames, pcm[0], pcm[2*voiceFrame-1])
		}
	})
	t.Run("odd chunks come out a frame late, in order, without gaps", func(t *testing.T) {
		e := &echoEngine{}
		v := &voicePath{engine: e, frame: make([]int16, voiceFrame)}
		var out []int16
		next := 1
		for range 20 {
			pcm := ramp(next, 441) // 44.1 kHz-sized chunks
			next += len(pcm)
			v.process(pcm)
			out = append(out, pcm...)
		}
		lead := 0
		for lead < len(out) && out[lead] == 0 {
			lead++
		}
		if lead != voiceFrame {
			t.Fatalf("%d samples of silence lead, want a frame", lead)
		}
		for i, s := range out[lead:] {
			if s != int16(-(i + 1)) {
				t.Fatalf("sample %d after the lead is %d, want %d", i, s, -(i + 1))
			}
		}
		if len(v.in) >= voiceFrame || len(v.out) > voiceFrame {
			t.Fatalf("buffers grow: in %d, out %d", len(v.in), len(v.out))
		}
	})
	t.Run("what is played reaches the far end in frames", func(t *testing.T) {
		e := &echoEngine{}
		v := &voicePath{engine: e, frame: make([]int16, voiceFrame)}
		for range 5 {
			v.played(ramp(0, 300))
		}
		if len(e.far) != 1500/voiceFrame || len(v.far) != 1500%voiceFrame {
			t.Fatalf("%d far frames, %d samples waiting", len(e.far), len(v.far))
		}
	})
	t.Run("none asked for", func(t *testing.T) {
		v, err := newVoicePath(nil)
		if v != nil || err != nil || !v.speaking() {
			t.Fatalf("%v %v", v, err)
		}
		v.played(ramp(0, 10)) // a nil path takes and passes everything
		v.close()
	})
}
