package media

import (
	"net"
	"sync/atomic"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/interceptor/pkg/gcc"
	"github.com/pion/webrtc/v4"
)

// Payload types, as browsers offer them, so that SDP stays familiar.
const (
	ptVP8  = 96
	ptOpus = 111
)

// Initial, floor and ceiling of the bandwidth estimate: start at a rate
// that carries 640x480 decently rather than ramping up from nothing.
const (
	bweInitial = videoStartBitrate + audioShare
	bweMin     = 100_000
	audioShare = 40_000 // kept for Opus (32 kb/s) and its headers
)

// newAPI builds a webrtc.API with VP8 and Opus only, the interceptors of
// a call (NACK both ways, RTCP sender and receiver reports, stats, TWCC
// feedback and send-side congestion control), and the ICE settings of cfg.
// onEstimator receives the congestion controller of the PeerConnection;
// level is the microphone's level, stamped on each audio packet (RFC 6464).
func newAPI(cfg *Config, onEstimator func(cc.BandwidthEstimator), level *atomic.Uint32) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	// NACK and TWCC feedback are added by their Configure calls below.
	fb := []webrtc.RTCPFeedback{{Type: "ccm", Parameter: "fir"}, {Type: "nack", Parameter: "pli"}}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: fb},
		PayloadType:        ptVP8,
	}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: opusRate, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType:        ptOpus,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}

	if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: audioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}

	reg := &interceptor.Registry{}
	reg.Add(audioLevelFactory{level: level})
	if err := webrtc.ConfigureNack(m, reg); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureStatsInterceptor(reg); err != nil {
		return nil, err
	}
	ccf, err := cc.NewInterceptor(func() (cc.BandwidthEstimator, error) {
		// No pacer: frames leave as they are encoded. GCC's leaky bucket
		// adds delay and a 5 ms ticker for a gain that one camera stream
		// at the estimate's rate does not need.
		e, err := gcc.NewSendSideBWE(
			gcc.SendSideBWEInitialBitrate(bweInitial),
			gcc.SendSideBWEMinBitrate(bweMin),
			gcc.SendSideBWEMaxBitrate(cfg.MaxVideoBitrate+audioShare),
			gcc.SendSideBWEPacer(gcc.NewNoOpPacer()),
		)
		if err != nil || cfg.wrapEstimator == nil {
			return e, err
		}
		return cfg.wrapEstimator(e), nil
	})
	if err != nil {
		return nil, err
	}
	ccf.OnNewPeerConnection(func(_ string, e cc.BandwidthEstimator) { onEstimator(e) })
	// TWCC: GCC turning the peer's feedback into a target bitrate, the
	// sequence numbers it needs on what we send (added after it, so that
	// they are on a packet by the time it sees one), and feedback on what
	// we receive.
	reg.Add(ccf)
	if err := webrtc.ConfigureTWCCHeaderExtensionSender(m, reg); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureTWCCSender(m, reg); err != nil {
		return nil, err
	}

	se := webrtc.SettingEngine{}
	// mDNS would announce the host on the LAN and start its own listeners;
	// plain host candidates do for a call.
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	// Only Session.Close closes the PeerConnection, after the stats poller
	// has returned: Pion would close it at the peer's DTLS close_notify,
	// under a Session that still polls it. The signaling ends the call; a
	// peer gone quiet shows as disconnected, then failed, as after a crash.
	se.DisableCloseByDTLS(true)
	if cfg.LoopbackOnly {
		se.SetIncludeLoopbackCandidate(true)
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	}
	if cfg.net != nil {
		se.SetNet(cfg.net)
	} else if d := newTURNDialer(cfg.ICEServers, cfg.RootCAs); d != nil {
		se.SetICEProxyDialer(d)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

func iceServers(cfg *Config) []webrtc.ICEServer {
	out := make([]webrtc.ICEServer, 0, len(cfg.ICEServers))
	for _, s := range cfg.ICEServers {
		out = append(out, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	return out
}
