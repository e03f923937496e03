// Package media is the media layer of one 1:1 call: a Pion PeerConnection
// with NACK, RTCP reports and send-side bandwidth estimation (TWCC/GCC),
// capture from mediadevices drivers, VP8 (libvpx) and Opus (libopus)
// codecs, and the receive path from RTP to decoded frames and PCM.
//
// It knows nothing of windows or of the signaling connection: the call
// engine passes SDP and ICE candidates in with HandleSignal and out through
// a Signaler, and shows what OnFrame and OnStats hand it.
//
// A Session can connect while the callee's phone rings (TRTC's "instant
// open"): the caller Starts, both sides run ICE and DTLS, and neither sends
// media until SetSending(true), which the engine calls on accept.
package media
