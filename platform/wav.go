package platform

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// SampleRate is the rate of everything this package plays: the rate of
// Opus and of media.Session.ReadAudio, so call audio needs no resampling.
const SampleRate = 48000

// DecodeWAV reads a RIFF WAVE file of 16-bit PCM at 48 kHz, mono or
// stereo (mixed down), into mono samples. Ringtones are the project's own
// files, but a person may pick another one, so anything else is an error,
// never a panic.
func DecodeWAV(b []byte) ([]int16, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errors.New("wav: not a RIFF WAVE file")
	}
	var channels int
	var haveFormat bool
	for p := b[12:]; len(p) >= 8; {
		id, size := string(p[0:4]), binary.LittleEndian.Uint32(p[4:8])
		p = p[8:]
		if uint64(size) > uint64(len(p)) {
			return nil, fmt.Errorf("wav: chunk %q runs past the end", id)
		}
		body := p[:size]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, errors.New("wav: short fmt chunk")
			}
			format := binary.LittleEndian.Uint16(body[0:2])
			channels = int(binary.LittleEndian.Uint16(body[2:4]))
			rate := binary.LittleEndian.Uint32(body[4:8])
			bits := binary.LittleEndian.Uint16(body[14:16])
			if format != 1 || bits != 16 || rate != SampleRate || channels < 1 || channels > 2 {
				return nil, fmt.Errorf("wav: want 16-bit PCM at %d Hz, mono or stereo; have format %d, %d bits, %d Hz, %d channels",
					SampleRate, format, bits, rate, channels)
			}
			haveFormat = true
		case "data":
			if !haveFormat {
				return nil, errors.New("wav: data before fmt")
			}
			return mono(body, channels), nil
		}
		// Chunks are padded to an even size.
		p = p[min(len(p), int(size)+int(size&1)):]
	}
	return nil, errors.New("wav: no data chunk")
}

// mono turns little-endian 16-bit frames of n channels into mono samples.
func mono(data []byte, n int) []int16 {
	frames := len(data) / (2 * n)
	out := make([]int16, frames)
	for i := range out {
		sum := 0
		for c := range n {
			sum += int(int16(binary.LittleEndian.Uint16(data[2*(i*n+c):])))
		}
		out[i] = int16(sum / n)
	}
	return out
}
