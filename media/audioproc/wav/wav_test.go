package wav

import (
	"bytes"
	"slices"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := []int16{0, 1, -1, 32767, -32768, 1234}
	out, rate, err := Read(bytes.NewReader(Encode(in, 48000)))
	if err != nil || rate != 48000 || !slices.Equal(in, out) {
		t.Fatalf("got %v %d %v", out, rate, err)
	}
}

func TestRejects(t *testing.T) {
	stereo := Encode([]int16{1, 2}, 48000)
	stereo[22] = 2
	for name, b := range map[string][]byte{
		"empty":   nil,
		"text":    []byte("hello, this is not a wav file at all"),
		"stereo":  stereo,
		"no data": Encode(nil, 48000)[:36],
	} {
		if _, _, err := Decode(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSkipsChunksAndCutsShortData(t *testing.T) {
	b := Encode([]int16{5, 6, 7}, 16000)
	// A LIST chunk (odd length, padded) between fmt and data.
	list := []byte{'L', 'I', 'S', 'T', 3, 0, 0, 0, 'a', 'b', 'c', 0}
	b = slices.Concat(b[:36], list, b[36:len(b)-2])
	s, rate, err := Decode(b)
	if err != nil || rate != 16000 || !slices.Equal(s, []int16{5, 6}) {
		t.Fatalf("got %v %d %v", s, rate, err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode([]int16{1, -2, 3}, 48000))
	f.Add(Encode(nil, 8000))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, rate, err := Decode(b)
		if err != nil {
			return
		}
		if rate <= 0 || 2*len(s) > len(b) {
			t.Fatalf("rate %d, %d samples from %d bytes", rate, len(s), len(b))
		}
		// What decodes re-encodes to the same samples.
		s2, rate2, err := Decode(Encode(s, rate))
		if err != nil || rate2 != rate || !slices.Equal(s, s2) {
			t.Fatalf("re-encode: %v", err)
		}
	})
}
