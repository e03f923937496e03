package main

import (
	"encoding/binary"
	"math"
)

const rate = 48000 // the rate of call audio and of platform's playback

// note is a tone of a frequency (0 for silence) over a duration in seconds.
type note struct{ hz, secs float64 }

// ringtone is a rising three-note chime, played twice, then a rest: a
// loop of three seconds that is heard over a room without being harsh.
func ringtone() ([]byte, error) {
	const e5, gs5, b5 = 659.26, 830.61, 987.77
	var ns []note
	for range 2 {
		ns = append(ns, note{e5, 0.18}, note{gs5, 0.18}, note{b5, 0.36}, note{0, 0.18})
	}
	ns = append(ns, note{0, 3 - 2*0.9})
	return wav(ns, 0.35), nil
}

// dialTone is what a caller hears while the callee's devices ring: the
// Chinese ring-back cadence, 450 Hz for 1 s then 4 s of silence.
func dialTone() ([]byte, error) {
	return wav([]note{{450, 1}, {0, 4}}, 0.25), nil
}

// hangUpTone is three short falling beeps, played once when a call ends.
func hangUpTone() ([]byte, error) {
	return wav([]note{{660, 0.14}, {0, 0.06}, {550, 0.14}, {0, 0.06}, {440, 0.24}}, 0.3), nil
}

// wav renders notes as a mono 16-bit WAV at rate. Each tone has a sine
// and a quieter octave for warmth, and 10 ms fades so that it does not
// click where it starts and stops.
func wav(ns []note, volume float64) []byte {
	var pcm []int16
	for _, n := range ns {
		count := int(n.secs * rate)
		fade := min(count/2, rate/100)
		for i := range count {
			v := 0.0
			if n.hz > 0 {
				t := float64(i) / rate
				v = math.Sin(2*math.Pi*n.hz*t) + 0.3*math.Sin(4*math.Pi*n.hz*t)
				v *= volume / 1.3 * min(1, float64(i)/float64(fade), float64(count-1-i)/float64(fade))
			}
			pcm = append(pcm, int16(v*math.MaxInt16))
		}
	}
	b := make([]byte, 44+2*len(pcm))
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], rate)
	binary.LittleEndian.PutUint32(b[28:], rate*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(pcm)))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	return b
}
