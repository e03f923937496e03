package main

import (
	"encoding/json"
	"io"
	"time"
)

// printer writes JSON lines to standard output.
type printer struct {
	w   io.Writer
	enc *json.Encoder
}

func newPrinter(w io.Writer) *printer {
	return &printer{w: w, enc: json.NewEncoder(w)}
}

// json writes v as one line. Output errors are ignored: a command that
// lost its standard output has nobody left to tell.
func (p *printer) json(v any) { _ = p.enc.Encode(v) }

// text writes s as one line.
func (p *printer) text(s string) { _, _ = io.WriteString(p.w, s+"\n") }

// line is one event line of call and answer. The fields after call_id are
// there when they apply.
type line struct {
	Event        string   `json:"event"`
	TimeMS       int64    `json:"time_ms"`
	CallID       string   `json:"call_id"`
	User         string   `json:"user,omitempty"` // who caused it; for incoming, the caller
	Conversation string   `json:"conversation,omitempty"`
	Media        string   `json:"media,omitempty"`
	Invitees     []string `json:"invitees,omitempty"`
	TimeLeftMS   int64    `json:"time_left_ms,omitempty"`
	Reason       string   `json:"reason,omitempty"`
	Outcome      string   `json:"outcome,omitempty"`
	Error        string   `json:"error,omitempty"`
}

func (p *printer) event(l line) {
	l.TimeMS = time.Now().UnixMilli()
	p.json(l)
}

// mediaStats counts what a call received. They stay zero until calls carry
// media.
type mediaStats struct {
	VideoFramesDecoded   int64 `json:"video_frames_decoded"`
	AudioPacketsReceived int64 `json:"audio_packets_received"`
}

// summary is the last line of call and answer.
type summary struct {
	Summary    bool   `json:"summary"`
	CallID     string `json:"call_id"`
	Outcome    string `json:"outcome"`
	SetupMS    int64  `json:"setup_ms"`
	DurationMS int64  `json:"duration_ms"`
	mediaStats
}
