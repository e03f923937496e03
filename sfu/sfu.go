package sfu

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/webrtc/v4"
)

// Payload types, as browsers offer them and as Parley's Go clients use them.
const (
	ptVP8  = 96
	ptOpus = 111
)

// audioLevelURI names the RFC 6464 client-to-mixer audio level header
// extension.
const audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

// nackBufferPackets is how many sent video packets each forwarded video
// track keeps for NACK answers: about 2 s of a 1 Mb/s stream, longer than
// any round trip worth repairing.
const nackBufferPackets = 512

// socketBuffer is the size asked for the media port's kernel buffers.
const socketBuffer = 8 << 20

// Errors returned by the SFU.
var (
	ErrClosed    = errors.New("sfu: closed")
	ErrRoomEnded = errors.New("sfu: room ended")
	ErrNotJoined = errors.New("sfu: device not joined")
	ErrNoOffer   = errors.New("sfu: no offer pending")
)

// Config configures an SFU.
type Config struct {
	// ListenIP is the address the media ports listen on; empty means every
	// interface. Candidates advertise it (or every interface's address).
	ListenIP string
	// MediaPort is the one UDP port for all media (ICE UDP mux), TCPPort
	// the one TCP port for ICE-TCP. 0 picks a free port.
	MediaPort, TCPPort int
	// PublicIPs, when set, replace the host addresses in candidates
	// (a server behind a 1:1 NAT, such as a cloud VM).
	PublicIPs []string
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// OnSpeaking is called with the users of a room who are speaking,
	// whenever that set changes. It is called from the room's speaking
	// goroutine, with no lock held, and must not block for long.
	OnSpeaking func(room string, users []string)
}

// SFU forwards the media of every room's participants to the others.
type SFU struct {
	cfg    Config
	log    *slog.Logger
	api    *webrtc.API
	udp    net.PacketConn
	tcp    net.Listener
	udpMux ice.UDPMux
	tcpMux ice.TCPMux

	mu     sync.Mutex
	rooms  map[string]*Room
	closed bool
}

// New opens the media ports and returns a running SFU.
func New(cfg Config) (*SFU, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	udp, err := net.ListenPacket("udp", net.JoinHostPort(cfg.ListenIP, strconv.Itoa(cfg.MediaPort)))
	if err != nil {
		return nil, fmt.Errorf("sfu: media port: %w", err)
	}
	if c, ok := udp.(*net.UDPConn); ok {
		// Every call's media arrives on this one socket: a burst (key
		// frames of several publishers at once, a stall of the reader)
		// must not overflow the kernel's default buffer of about 200 KB.
		// The kernel caps it at net.core.rmem_max and wmem_max, which a
		// busy server should raise (README).
		_ = c.SetReadBuffer(socketBuffer)
		_ = c.SetWriteBuffer(socketBuffer)
	}
	tcp, err := net.Listen("tcp", net.JoinHostPort(cfg.ListenIP, strconv.Itoa(cfg.TCPPort)))
	if err != nil {
		_ = udp.Close()
		return nil, fmt.Errorf("sfu: tcp port: %w", err)
	}
	s := &SFU{
		cfg:    cfg,
		log:    log,
		udp:    udp,
		tcp:    tcp,
		udpMux: webrtc.NewICEUDPMux(nil, udp),
		tcpMux: webrtc.NewICETCPMux(nil, tcp, 32),
		rooms:  map[string]*Room{},
	}
	if s.api, err = s.newAPI(); err != nil {
		_ = s.closeMuxes()
		return nil, err
	}
	return s, nil
}

// newAPI builds the one webrtc.API of every PeerConnection: VP8 and Opus,
// the audio level extension, and the interceptors of an SFU.
func (s *SFU) newAPI() (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	// goog-remb lets a receiver that does receive-side estimation (a
	// browser getting packets without transport-wide sequence numbers,
	// which the SFU does not add) report its bandwidth; NACK is added by
	// ConfigureNack and transport-cc by ConfigureTWCCSender.
	videoFeedback := []webrtc.RTCPFeedback{{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack", Parameter: "pli"}}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: videoFeedback},
		PayloadType:        ptVP8,
	}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType:        ptOpus,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: audioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}

	reg := &interceptor.Registry{}
	// The NACK generator asks publishers for what the SFU missed; the
	// responder answers subscribers from the packets it sent them.
	if err := webrtc.ConfigureNackWithOptions(m, reg, nil, nack.ResponderSize(nackBufferPackets)); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, err
	}
	// Transport-wide feedback on what publishers send, for their own
	// congestion control (browsers and Parley's Go clients run GCC on it).
	if err := webrtc.ConfigureTWCCSender(m, reg); err != nil {
		return nil, err
	}

	se := webrtc.SettingEngine{}
	se.SetICEUDPMux(s.udpMux)
	se.SetICETCPMux(s.tcpMux)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{
		webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6, webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6,
	})
	if ip := net.ParseIP(s.cfg.ListenIP); ip != nil && !ip.IsUnspecified() {
		// ICE-TCP candidates are built from interface addresses: keep
		// only the one the TCP port listens on.
		se.SetIPFilter(func(candidate net.IP) bool { return candidate.Equal(ip) })
		se.SetIncludeLoopbackCandidate(ip.IsLoopback())
	}
	if len(s.cfg.PublicIPs) > 0 {
		if err := se.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{
			External:        s.cfg.PublicIPs,
			AsCandidateType: webrtc.ICECandidateTypeHost,
			Mode:            webrtc.ICEAddressRewriteReplace,
		}); err != nil {
			return nil, err
		}
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

// UDPAddr is the address of the media port.
func (s *SFU) UDPAddr() net.Addr { return s.udp.LocalAddr() }

// TCPAddr is the address of the ICE-TCP port.
func (s *SFU) TCPAddr() net.Addr { return s.tcp.Addr() }

// Room returns the room of a call, creating it if needed. After Close it
// returns an ended room, which refuses to be joined.
func (s *SFU) Room(id string) *Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return endedRoom(s, id)
	}
	r := s.rooms[id]
	if r == nil {
		r = newRoom(s, id)
		s.rooms[id] = r
	}
	return r
}

// Find returns the room of a call if it has one, else nil.
func (s *SFU) Find(id string) *Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rooms[id]
}

// EndRoom closes every PeerConnection of the room and waits for its
// goroutines. A later Room(id) makes a new, empty room.
func (s *SFU) EndRoom(id string) {
	s.mu.Lock()
	r := s.rooms[id]
	delete(s.rooms, id)
	s.mu.Unlock()
	if r != nil {
		r.end()
	}
}

// Close ends every room, waits for every goroutine, and closes the ports.
func (s *SFU) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	rooms := s.rooms
	s.rooms = nil
	s.mu.Unlock()

	var wg sync.WaitGroup
	for _, r := range rooms {
		wg.Go(r.end)
	}
	wg.Wait()
	return s.closeMuxes()
}

func (s *SFU) closeMuxes() error {
	// The muxes close their sockets and wait for their readers.
	return errors.Join(s.udpMux.Close(), s.tcpMux.Close())
}
