package platform

import (
	"encoding/binary"
	"slices"
	"testing"

	"parley/assets"
)

// The project's tones decode to sound of the length their generator
// made, and are not silent.
func TestToneWAVsDecode(t *testing.T) {
	for _, c := range []struct {
		name string
		wav  []byte
		secs float64
	}{
		{"ringtone", assets.Ringtone, 3},
		{"dial tone", assets.DialTone, 5},
		{"hang-up tone", assets.HangUpTone, 0.64},
	} {
		pcm, err := DecodeWAV(c.wav)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := float64(len(pcm)) / SampleRate; got < c.secs-0.01 || got > c.secs+0.01 {
			t.Errorf("%s lasts %.2f s, want %.2f", c.name, got, c.secs)
		}
		if slices.Max(pcm) < 1000 {
			t.Errorf("%s is silent", c.name)
		}
	}
}

// wavFile builds a WAV of 16-bit samples with the given header fields.
func wavFile(channels, rate, bits int, samples ...int16) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00")
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	b = append(b, "LIST\x03\x00\x00\x00abc\x00"...) // an odd-sized chunk, padded
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(2*len(samples)))
	for _, s := range samples {
		b = binary.LittleEndian.AppendUint16(b, uint16(s))
	}
	return b
}

func TestDecodeWAVMixesStereo(t *testing.T) {
	pcm, err := DecodeWAV(wavFile(2, SampleRate, 16, 100, 300, -100, -300))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pcm, []int16{200, -200}) {
		t.Errorf("stereo to mono = %v", pcm)
	}
}

func TestDecodeWAVRefuses(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":          nil,
		"not RIFF":       []byte("OggS0000WAVE"),
		"44.1 kHz":       wavFile(1, 44100, 16, 1),
		"8-bit":          wavFile(1, SampleRate, 8, 1),
		"no data":        wavFile(1, SampleRate, 16)[:len(wavFile(1, SampleRate, 16))-8],
		"chunk too long": append(wavFile(1, SampleRate, 16)[:len(wavFile(1, SampleRate, 16))-8], "data\xff\xff\x00\x00"...),
	} {
		if _, err := DecodeWAV(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// A ringtone a person picks is outside data: no input makes the decoder
// panic or claim more samples than the file holds.
func FuzzDecodeWAV(f *testing.F) {
	f.Add(assets.HangUpTone[:200])
	f.Add(wavFile(2, SampleRate, 16, 1, 2, 3, 4))
	f.Fuzz(func(t *testing.T, b []byte) {
		pcm, err := DecodeWAV(b)
		if err == nil && 2*len(pcm) > len(b) {
			t.Fatalf("%d samples from %d bytes", len(pcm), len(b))
		}
	})
}
