package media

import (
	"image"
	"image/draw"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"parley/media/vp8frame"
)

// pliInterval spaces key frame requests while decoding stays broken; a
// key frame takes about a round trip to come.
const pliInterval = 300 * time.Millisecond

// receiveVideo decodes the remote video track until the PeerConnection
// closes. Its goroutine is owned by the Session.
func (s *Session) receiveVideo(track *webrtc.TrackRemote) {
	dec, err := newVP8Decoder()
	if err != nil {
		s.reportError(err)
		s.drain(track)
		return
	}
	defer dec.Close()
	var frames vp8frame.Assembler
	ssrc := uint32(track.SSRC())
	var lastPLI time.Time
	pli := func() {
		if time.Since(lastPLI) < pliInterval {
			return
		}
		lastPLI = time.Now()
		s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
	}
	from := track.StreamID()
	var pics chan *image.YCbCr // to the renderer, when there is one
	if s.cfg.OnFrame != nil {
		pics = make(chan *image.YCbCr, 1)
		defer close(pics)
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.render(from, pics) }()
	}
	needKey := true
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			return
		}
		if s.videoOff.Load() {
			continue // switched to audio: the track is drained, not decoded
		}
		now := time.Now()
		frames.Push(pkt)
		for {
			frame, afterLoss, ok := frames.Pop(now)
			if !ok {
				break
			}
			if afterLoss {
				needKey = true // a frame was lost: what follows refers to it
			}
			if needKey && !vp8frame.IsKey(frame) {
				pli()
				continue
			}
			img, err := dec.Decode(frame, s.cfg.OnFrame != nil)
			if err != nil {
				needKey = true
				pli()
				continue
			}
			needKey = false
			s.counters.videoFrame(from)
			if img != nil {
				showLatest(pics, img)
			}
		}
	}
}

// showLatest hands a decoded picture to the renderer, replacing one it has
// not taken yet: a slow display skips pictures, while decoding, which every
// later frame depends on, keeps up with the stream instead of falling ever
// further behind it. The receiver is the only sender, so the slot is free
// for the second send.
func showLatest(pics chan *image.YCbCr, img *image.YCbCr) {
	select {
	case pics <- img:
	default:
		select {
		case <-pics:
		default:
		}
		pics <- img
	}
}

// render turns decoded pictures into images for OnFrame until pics closes.
// Its goroutine is owned by the Session.
func (s *Session) render(from string, pics <-chan *image.YCbCr) {
	for img := range pics {
		rgba := image.NewRGBA(img.Rect)
		draw.Draw(rgba, rgba.Rect, img, img.Rect.Min, draw.Src)
		s.cfg.OnFrame(from, rgba)
	}
}

// receiveAudio decodes a remote audio track into a playout buffer of its
// own, which the mixer plays with the others, until the track ends. Its
// goroutine is owned by the Session.
func (s *Session) receiveAudio(track *webrtc.TrackRemote) {
	dec, err := newOpusDecoder()
	if err != nil {
		s.reportError(err)
		s.drain(track)
		return
	}
	defer dec.Close()
	from := track.StreamID()
	buf := s.mixer.add()
	defer s.mixer.remove(buf)
	pcm := make([]int16, 6*opusFrame) // Opus packets hold at most 120 ms
	var next uint16
	started := false
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			return
		}
		s.counters.audioPacket(from)
		if started {
			gap := int16(pkt.SequenceNumber - next)
			if gap < 0 {
				continue // late or duplicate: its time has passed
			}
			if gap > 0 && gap <= maxConcealed {
				// Conceal the lost frames; the last one can be rebuilt
				// from this packet's in-band FEC.
				for i := range gap {
					var n int
					var err error
					if i == gap-1 {
						n, err = dec.Decode(pkt.Payload, pcm, true)
					} else {
						n, err = dec.Decode(nil, pcm[:opusFrame], false)
					}
					if err == nil {
						buf.Push(pcm[:n])
					}
				}
			}
		}
		next, started = pkt.SequenceNumber+1, true
		if n, err := dec.Decode(pkt.Payload, pcm, false); err == nil {
			buf.Push(pcm[:n])
		}
	}
}

// maxConcealed is the longest run of lost audio packets that is concealed;
// after a longer gap the stream simply resumes.
const maxConcealed = 5

// drain reads a track that is not used, so that its RTCP still flows.
func (s *Session) drain(track *webrtc.TrackRemote) {
	for {
		if _, _, err := track.ReadRTP(); err != nil {
			return
		}
	}
}
