// Package sfu is the selective forwarding unit of group calls: each
// device in a call has one PeerConnection with the SFU, sends it at most
// one audio and one video track, and receives every other participant's
// tracks from it. The SFU decodes nothing; it forwards RTP packets, with
// Pion's interceptors for NACK, RTCP reports and transport-wide feedback.
// It is pure Go (no cgo) and imports nothing of Parley's.
//
// # Media and ports
//
// Every PeerConnection shares one UDP port (an ICE UDP mux) and one TCP
// port for ICE-TCP. Codecs are VP8 (payload type 96) and Opus (111) only,
// with the RFC 6464 audio level header extension on audio.
//
// # Negotiation
//
// The SFU makes every offer, so offers never cross: on Join, and again
// whenever the tracks forwarded to the device change (someone joins,
// leaves, starts or stops a track). One negotiation is in flight per
// connection: a change during a pending offer is offered once the answer
// comes. The device's first answer turns its two receiving transceivers
// (audio, video; recvonly on the SFU's side) into sending ones.
//
// # Track naming
//
// A forwarded track tells whose it is in the SDP alone: its stream id
// (the msid's first part) is the user id of its publisher, and its track
// id is that user id followed by "-audio" or "-video". Bob receives
// Alice's camera as "a=msid:alice alice-video".
//
// # Forwarding and feedback
//
// Mute drops a muted user's audio, or a camera-off user's video, at the
// SFU. Key frame requests (PLI, FIR) from subscribers reach the publisher
// at most once per 500 ms per track; a new subscriber to a video track
// asks for one at once, so a late joiner sees video without waiting.
// Congestion: each subscriber's REMB is its downlink estimate; every
// second each video publisher gets a REMB capped at the lowest share of
// those estimates (a subscriber's estimate divided among the video tracks
// it receives), never below 100 kb/s. A subscriber whose estimate is
// under that floor gets audio only until it recovers. Who speaks comes
// from the audio level extension of each audio packet; Config.OnSpeaking
// hears the set of speakers when it changes.
//
// # Goroutines, locks, lifetimes
//
// Goroutines, each with one owner that waits for it:
//   - per device (peer): the signaling goroutine, the only caller of the
//     device's Signaler (offers, then the candidates that follow them,
//     from a bounded queue); it ends when the peer closes.
//   - per published track: the forwarding goroutine, its only reader,
//     which writes every packet to each subscriber's local track and
//     sends PLI and REMB to the publisher; and a reader of the
//     publisher's RTCP. Both end when the publisher's connection closes
//     or the track's stream ends, and are owned by the publisher's peer.
//   - per forwarded track on a connection: a reader of the subscriber's
//     RTCP (the interceptors answer NACKs as it reads; PLI, FIR and REMB
//     are acted on). It ends when the track is removed or the
//     subscriber's connection closes, and is owned by the subscriber.
//   - per room, when Config.OnSpeaking is set: the speaking goroutine,
//     ended by EndRoom.
//
// Leave and a replacing Join wait for the device's goroutines; EndRoom
// for the room's; Close for every room's. A room stays, even empty, until
// EndRoom: the call decides its lifetime.
//
// Locks, never held together: SFU.mu (rooms), Room.mu (participants, tracks,
// subscriptions) and peer.negMu (one device's offer and answer). No
// lock is held while writing media or calling a Signaler; forwarding
// reads the subscriber list through an atomic pointer, replaced under
// Room.mu. Pion's PeerConnection methods that only change local state
// (adding and removing tracks, descriptions) are called under the locks.
package sfu
