package platform

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/gen2brain/malgo"
)

// ErrNoSpeaker is returned when there is no playback device to open, as on
// a machine without a sound card.
var ErrNoSpeaker = errors.New("no speaker: this computer has no sound output device")

// Speaker is an open playback device that plays what its source gives.
type Speaker struct {
	dev       *malgo.Device
	pull      func(pcm []int16) int
	buf       []int16
	closeOnce sync.Once
	closed    chan struct{}
}

// OpenSpeaker starts playing on the named device ("" for the system's
// default) the 48 kHz mono samples that pull gives: pull fills pcm and
// returns how many samples it filled, and silence makes up the rest
// (media.Session.ReadAudio fits). pull runs on the audio driver's thread,
// one period at a time, so it must not block.
func OpenSpeaker(device string, pull func(pcm []int16) int) (*Speaker, error) {
	ctx, err := audioContext()
	if err != nil {
		return nil, err
	}
	cfg := malgo.DefaultDeviceConfig(malgo.Playback)
	cfg.SampleRate = SampleRate
	cfg.Playback.Format = malgo.FormatS16
	cfg.Playback.Channels = 1
	cfg.PerformanceProfile = malgo.LowLatency
	if device != "" {
		id, err := playbackID(ctx, device)
		if err != nil {
			return nil, err
		}
		cfg.Playback.DeviceID = id.Pointer()
	}
	s := &Speaker{pull: pull, closed: make(chan struct{})}
	if err := s.start(ctx, cfg); err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNoSpeaker, err)
	}
	return s, nil
}

func (s *Speaker) start(ctx *malgo.AllocatedContext, cfg malgo.DeviceConfig) (err error) {
	defer guard("speaker", &err)
	dev, err := malgo.InitDevice(ctx.Context, cfg, malgo.DeviceCallbacks{Data: s.fill})
	if err != nil {
		return err
	}
	if err := dev.Start(); err != nil {
		dev.Uninit()
		return err
	}
	s.dev = dev
	return nil
}

// fill is the driver's data callback: out holds frames 16-bit mono samples.
func (s *Speaker) fill(out, _ []byte, frames uint32) {
	if cap(s.buf) < int(frames) {
		s.buf = make([]int16, frames)
	}
	buf := s.buf[:frames]
	n := max(0, min(s.pull(buf), len(buf)))
	clear(buf[n:])
	for i, v := range buf {
		binary.LittleEndian.PutUint16(out[2*i:], uint16(v))
	}
}

// Close stops playback and releases the device. It may be called more
// than once, but not from pull.
func (s *Speaker) Close() error {
	s.closeOnce.Do(func() {
		s.dev.Uninit()
		close(s.closed)
	})
	return nil
}

// Speakers lists the names of the playback devices, for a settings menu;
// OpenSpeaker takes one of them.
func Speakers() ([]string, error) {
	ctx, err := audioContext()
	if err != nil {
		return nil, err
	}
	infos, err := ctx.Devices(malgo.Playback)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range infos {
		if !discards(d.Name()) {
			names = append(names, d.Name())
		}
	}
	return names, nil
}

func playbackID(ctx *malgo.AllocatedContext, name string) (malgo.DeviceID, error) {
	infos, err := ctx.Devices(malgo.Playback)
	if err != nil {
		return malgo.DeviceID{}, err
	}
	for _, d := range infos {
		if d.Name() == name && !discards(d.Name()) {
			return d.ID, nil
		}
	}
	return malgo.DeviceID{}, fmt.Errorf("%w named %q", ErrNoSpeaker, name)
}

// discards tells ALSA's "null" device, which swallows sound: offering it
// as a speaker would make a call silent with no error.
func discards(name string) bool {
	return name == "null" || name == "Discard all samples (playback) or generate zero samples (capture)"
}

// guard turns a driver's panic into an error, as media's capture does:
// audio drivers are cgo wrappers over odd hardware, and one bad device must
// not take the app down.
func guard(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: driver panicked: %v", what, r)
	}
}
