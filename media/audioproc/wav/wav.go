// Package wav reads and writes the WAV files of the audioproc tool:
// 16-bit PCM, mono, any rate (the tool wants 48 kHz).
package wav

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxSamples bounds what Decode accepts: an hour at 48 kHz.
const MaxSamples = 3600 * 48000

// Decode reads a RIFF WAVE file of 16-bit mono PCM and returns its
// samples and sample rate. Chunks other than "fmt " and "data" are
// skipped; a data chunk longer than the file is cut at the file's end.
func Decode(b []byte) (samples []int16, rate int, err error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("wav: not a RIFF WAVE file")
	}
	b = b[12:]
	var haveFmt bool
	for len(b) >= 8 {
		id, size := string(b[0:4]), binary.LittleEndian.Uint32(b[4:8])
		b = b[8:]
		body := b
		if uint64(size) <= uint64(len(b)) {
			body = b[:size]
		}
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, errors.New("wav: short fmt chunk")
			}
			format := binary.LittleEndian.Uint16(body[0:2])
			channels := binary.LittleEndian.Uint16(body[2:4])
			r := binary.LittleEndian.Uint32(body[4:8])
			bits := binary.LittleEndian.Uint16(body[14:16])
			if format == 0xFFFE && len(body) >= 26 { // WAVE_FORMAT_EXTENSIBLE: the subformat's first two bytes
				format = binary.LittleEndian.Uint16(body[24:26])
			}
			if format != 1 || channels != 1 || bits != 16 {
				return nil, 0, fmt.Errorf("wav: format %d, %d channels, %d bits: want PCM (1), 1 channel, 16 bits", format, channels, bits)
			}
			if r == 0 || r > 1_000_000 {
				return nil, 0, fmt.Errorf("wav: sample rate %d", r)
			}
			rate, haveFmt = int(r), true
		case "data":
			if !haveFmt {
				return nil, 0, errors.New("wav: data before fmt")
			}
			n := len(body) / 2
			if n > MaxSamples {
				return nil, 0, fmt.Errorf("wav: more than %d samples", MaxSamples)
			}
			samples = make([]int16, n)
			for i := range samples {
				samples[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return samples, rate, nil
		}
		skip := uint64(size) + uint64(size&1)
		if skip >= uint64(len(b)) {
			break
		}
		b = b[skip:]
	}
	return nil, 0, errors.New("wav: no data chunk")
}

// Read is Decode of everything r holds.
func Read(r io.Reader) ([]int16, int, error) {
	b, err := io.ReadAll(io.LimitReader(r, 2*MaxSamples+1<<20))
	if err != nil {
		return nil, 0, err
	}
	return Decode(b)
}

// Encode is a WAV file of 16-bit mono PCM at rate.
func Encode(samples []int16, rate int) []byte {
	n := 2 * len(samples)
	b := make([]byte, 44+n)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(rate*2))
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(n))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(s))
	}
	return b
}

// Write writes Encode(samples, rate) to w.
func Write(w io.Writer, samples []int16, rate int) error {
	_, err := w.Write(Encode(samples, rate))
	return err
}
