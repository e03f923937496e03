package media

import (
	"errors"
	"fmt"
	"image"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/wave"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

// sender sends one kind of media. It owns the capture device and the
// encoder while they are open, and the pump goroutine between them and the
// track.
//
// Capture runs from start to stop; the gate decides whether what it
// captures goes out. Closed, the gate drops raw frames before the encoder,
// so a muted or ringing side spends nothing on encoding and sends no RTP.
type sender struct {
	kind     string
	track    *webrtc.TrackLocalStaticSample
	rtp      *webrtc.RTPSender
	open     func(gate *atomic.Bool) (device, codec.ReadCloser, error)
	frameDur time.Duration // of every frame for audio; 0: measured, for video
	onErr    func(error)
	sent     *atomic.Int64 // frames that went out

	gate atomic.Bool

	mu      sync.Mutex
	run     *pump
	bitrate int // the last target, for an encoder opened later
}

// pump is one open capture: the device, its encoder and the goroutine
// moving frames from one to the other, which ends when the device closes.
type pump struct {
	dev  device
	enc  codec.ReadCloser
	done chan struct{}
}

// start opens the device and starts the pump, unless it runs.
func (s *sender) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run != nil {
		return nil
	}
	dev, enc, err := s.open(&s.gate)
	if err != nil {
		return err
	}
	p := &pump{dev: dev, enc: enc, done: make(chan struct{})}
	if s.bitrate > 0 {
		if c, ok := enc.Controller().(codec.BitRateController); ok {
			c.SetBitRate(s.bitrate)
		}
	}
	s.run = p
	go s.pump(p)
	return nil
}

// stop closes the device, which ends the pump, then frees the encoder.
func (s *sender) stop() {
	s.mu.Lock()
	p := s.run
	s.run = nil
	s.mu.Unlock()
	if p == nil {
		return
	}
	p.dev.Close()
	<-p.done
	p.enc.Close()
}

// setSending opens or closes the gate. Opening asks for a key frame, so
// that the far side can decode from the first frame after a pause.
func (s *sender) setSending(on bool) {
	if on && !s.gate.Load() {
		s.forceKeyFrame()
	}
	s.gate.Store(on)
}

func (s *sender) forceKeyFrame() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run == nil {
		return
	}
	if c, ok := s.run.enc.Controller().(codec.KeyFrameController); ok {
		c.ForceKeyFrame()
	}
}

// target is the bitrate the encoder aims at.
func (s *sender) target() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bitrate
}

func (s *sender) setBitrate(bps int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bitrate = bps
	if s.run == nil {
		return
	}
	if c, ok := s.run.enc.Controller().(codec.BitRateController); ok {
		c.SetBitRate(bps)
	}
}

func (s *sender) pump(p *pump) {
	defer close(p.done)
	defer func() {
		if r := recover(); r != nil {
			s.onErr(fmt.Errorf("%s capture panicked: %v", s.kind, r))
			p.dev.Close()
		}
	}()
	var last time.Time
	for {
		frame, release, err := p.enc.Read()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.onErr(fmt.Errorf("%s capture stopped: %w", s.kind, err))
				p.dev.Close()
			}
			return
		}
		// A sample's duration advances the RTP clock for the next one, so
		// video frames get the capture interval, measured; the first has
		// none yet and gets a typical one. A frame the encoder dropped adds
		// its time to the next one.
		dur := s.frameDur
		if dur == 0 && len(frame) > 0 {
			now := time.Now()
			dur = 33 * time.Millisecond
			if !last.IsZero() {
				dur = min(now.Sub(last), time.Second)
			}
			last = now
		}
		if len(frame) > 0 {
			if err := s.track.WriteSample(media.Sample{Data: frame, Duration: dur}); err == nil {
				s.sent.Add(1)
			}
		}
		release()
	}
}

// readRTCP drains the sender's RTCP, which the interceptors (NACK, reports,
// TWCC) need read, and turns picture loss reports into key frames. It ends
// when the PeerConnection closes.
func (s *sender) readRTCP() {
	for {
		pkts, _, err := s.rtp.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				s.forceKeyFrame()
			}
		}
	}
}

// gateVideo passes frames while gate is open and drops them before they
// cost anything more while it is closed.
func gateVideo(r video.Reader, gate *atomic.Bool) video.Reader {
	return video.ReaderFunc(func() (image.Image, func(), error) {
		for {
			img, release, err := r.Read()
			if err != nil || gate.Load() {
				return img, release, err
			}
			release()
		}
	})
}

func gateAudio(r audio.Reader, gate *atomic.Bool) audio.Reader {
	return audio.ReaderFunc(func() (wave.Audio, func(), error) {
		for {
			chunk, release, err := r.Read()
			if err != nil || gate.Load() {
				return chunk, release, err
			}
			release()
		}
	})
}
