package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"time"

	"parley/internal/cpuprofile"
	"parley/media/y4m"
	"parley/protocol"
)

// defaultHold is how long call and answer keep a connected call.
const defaultHold = 5 * time.Second

type callCmd struct {
	invite protocol.CallInvite
	opts   callOptions
}

// mediaFlags are the flags of call and answer about the call's media.
func mediaFlags(fs *flag.FlagSet, o *callOptions) {
	fs.DurationVar(&o.hold, "hold", defaultHold, "")
	fs.DurationVar(&o.muteAfter, "mute-after", 0, "")
	fs.DurationVar(&o.switchAfter, "switch-to-audio-after", 0, "")
	fs.BoolVar(&o.testMedia, "test-media", false, "")
	fs.BoolVar(&o.relayOnly, "relay-only", false, "")
	fs.Func("video-size", "", func(v string) error {
		_, err := fmt.Sscanf(v, "%dx%d", &o.width, &o.height)
		if err != nil || o.width < 16 || o.height < 16 || o.width > 1920 || o.height > 1080 || o.width%2 != 0 || o.height%2 != 0 {
			return errors.New("--video-size must be WIDTHxHEIGHT, even numbers from 16x16 to 1920x1080")
		}
		return nil
	})
	fs.IntVar(&o.frameRate, "fps", 0, "")
	fs.StringVar(&o.videoFile, "video-file", "", "")
	fs.StringVar(&o.audioFile, "audio-file", "", "")
	fs.StringVar(&o.compare, "compare", "", "")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "")
}

func checkMediaFlags(o *callOptions) error {
	switch {
	case o.hold < 0:
		return errors.New("--hold must not be negative")
	case o.muteAfter < 0 || o.switchAfter < 0:
		return errors.New("--mute-after and --switch-to-audio-after must not be negative")
	case o.frameRate < 0 || o.frameRate > 60:
		return errors.New("--fps must be 1 to 60")
	case o.videoFile != "" && o.width != 0:
		return errors.New("--video-size does not go with --video-file, which is sent at its own size")
	}
	return nil
}

// runCall runs one call of this device, with follow taking it from its
// start to its end: profiled for --cpuprofile, with the files of
// --video-file and --compare read before it connects.
func (e *env) runCall(ctx context.Context, opts callOptions, follow func(*callFlow) error) (err error) {
	if opts.cpuProfile != "" {
		stop, perr := cpuprofile.Start(opts.cpuProfile)
		if perr != nil {
			return perr
		}
		defer func() {
			if perr := stop(); err == nil {
				err = perr
			}
		}()
	}
	// A file stands in for one source: the other is generated.
	opts.testMedia = opts.testMedia || e.testMedia() || opts.videoFile != "" || opts.audioFile != ""
	if opts.videoFile != "" && opts.frameRate == 0 {
		if opts.frameRate, err = fileRate(opts.videoFile); err != nil {
			return err
		}
	}
	var cmp *comparer
	if opts.compare != "" {
		if cmp, err = openComparer(opts.compare); err != nil {
			return err
		}
		defer cmp.close()
	}
	cl, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer cl.Close()
	return follow(newCallFlow(cl, e.out, opts, cmp))
}

// fileRate is the frame rate of a Y4M file, whole and within --fps's
// bounds.
func fileRate(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("--video-file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	var v *y4m.Video
	if err == nil {
		v, err = y4m.Open(f, fi.Size())
	}
	if err != nil {
		return 0, fmt.Errorf("--video-file: %s: %w", path, err)
	}
	return int(max(1, min(60, math.Round(v.Header().FrameRate())))), nil
}

func parseCall(me string, args []string) (command, error) {
	fs := newFlagSet("call")
	c := &callCmd{}
	video := fs.Bool("video", false, "")
	timeout := fs.Duration("timeout", 0, "")
	mediaFlags(fs, &c.opts)
	fs.DurationVar(&c.opts.cancelAfter, "cancel-after", 0, "")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if err := checkMediaFlags(&c.opts); err != nil {
		return nil, err
	}
	switch {
	case c.opts.cancelAfter < 0:
		return nil, errors.New("--cancel-after must not be negative")
	case *timeout != 0 && (*timeout < protocol.MinInviteTimeout || *timeout > protocol.MaxInviteTimeout):
		return nil, fmt.Errorf("--timeout must be %v to %v", protocol.MinInviteTimeout, protocol.MaxInviteTimeout)
	}
	c.invite, err = invitation(me, pos)
	if err != nil {
		return nil, err
	}
	c.invite.Media = protocol.MediaAudio
	if *video {
		c.invite.Media = protocol.MediaVideo
	}
	c.invite.TimeoutMS = timeout.Milliseconds()
	return c, c.invite.Validate()
}

// invitation maps call's PEERs: one user is the direct conversation with
// them; group:ID may be followed by the members to ring, and alone rings
// every other member (the server fills them in).
func invitation(me string, peers []string) (protocol.CallInvite, error) {
	if len(peers) == 0 {
		return protocol.CallInvite{}, errors.New("takes PEER...")
	}
	conv, err := conversationOf(me, peers[0])
	if err != nil {
		return protocol.CallInvite{}, err
	}
	inv := protocol.CallInvite{Conversation: conv}
	if len(peers) > 1 {
		if _, group, _ := protocol.ParseConversation(conv); group == "" {
			return inv, errors.New("rings one user, or a group's members: call group:ID USER...")
		}
		inv.Invitees = peers[1:]
	}
	return inv, nil
}

func (c *callCmd) run(ctx context.Context, e *env) error {
	return e.runCall(ctx, c.opts, func(f *callFlow) error { return f.place(ctx, &c.invite) })
}

type answerCmd struct {
	wait time.Duration
	opts callOptions
}

func parseAnswer(me string, args []string) (command, error) {
	fs := newFlagSet("answer")
	c := &answerCmd{}
	fs.BoolVar(&c.opts.declineInvite, "decline", false, "")
	fs.BoolVar(&c.opts.answerVoice, "voice-only", false, "")
	fs.DurationVar(&c.opts.ringFor, "ring", 0, "")
	fs.DurationVar(&c.wait, "wait", 60*time.Second, "")
	mediaFlags(fs, &c.opts)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if err := exactly(pos, 0, "no arguments but flags"); err != nil {
		return nil, err
	}
	if c.wait <= 0 {
		return nil, errors.New("--wait must be positive")
	}
	if c.opts.ringFor < 0 {
		return nil, errors.New("--ring must not be negative")
	}
	return c, checkMediaFlags(&c.opts)
}

func (c *answerCmd) run(ctx context.Context, e *env) error {
	return e.runCall(ctx, c.opts, func(f *callFlow) error { return f.answer(ctx, c.wait) })
}

type joinCmd struct {
	conversation string
	wait         time.Duration
	opts         callOptions
}

func parseJoin(me string, args []string) (command, error) {
	fs := newFlagSet("join")
	c := &joinCmd{}
	fs.DurationVar(&c.wait, "wait", 10*time.Second, "")
	mediaFlags(fs, &c.opts)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if err := exactly(pos, 1, "takes group:ID"); err != nil {
		return nil, err
	}
	if _, group, _ := protocol.ParseConversation(pos[0]); group == "" {
		return nil, fmt.Errorf("%q is not group:ID", pos[0])
	}
	if c.wait <= 0 {
		return nil, errors.New("--wait must be positive")
	}
	c.conversation = pos[0]
	return c, checkMediaFlags(&c.opts)
}

func (c *joinCmd) run(ctx context.Context, e *env) error {
	return e.runCall(ctx, c.opts, func(f *callFlow) error { return f.join(ctx, c.conversation, c.wait) })
}
