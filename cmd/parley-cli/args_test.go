package main

import (
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"

	"parley/protocol"
)

func TestParse(t *testing.T) {
	global := []string{"--server", "http://127.0.0.1:7000", "--user", "alice", "--password", "pw12"}
	with := func(args ...string) []string { return append(append([]string(nil), global...), args...) }
	audio := func(conv string, invitees ...string) protocol.CallInvite {
		return protocol.CallInvite{Conversation: conv, Media: protocol.MediaAudio, Invitees: invitees}
	}

	tests := []struct {
		name string
		args []string
		env  map[string]string
		want command
		err  string // a substring of the error, when one is expected
	}{
		{name: "register", args: with("register"), want: registerCmd{}},
		{name: "password from the environment", args: []string{"--server", "http://x", "--user", "alice", "register"},
			env: map[string]string{"PARLEY_PASSWORD": "pw12"}, want: registerCmd{}},
		{name: "no password", args: []string{"--server", "http://x", "--user", "alice", "register"}, err: "no password"},
		{name: "no server", args: []string{"--user", "alice", "--password", "pw12", "register"}, err: "--server"},
		{name: "bad user", args: []string{"--server", "http://x", "--user", "Alice", "--password", "pw12", "register"}, err: "--user"},
		{name: "no command", args: global, err: "no command"},
		{name: "unknown command", args: with("dance"), err: `unknown command "dance"`},
		{name: "unknown global flag", args: with("--colour", "register"), err: "colour"},
		{name: "register with arguments", args: with("register", "bob"), err: "no arguments"},

		{name: "group", args: with("group", "create", "Team", "bob", "carol"),
			want: &groupCreateCmd{name: "Team", members: []string{"bob", "carol"}}},
		{name: "group without members", args: with("group", "create", "Team"), err: "create NAME USER..."},
		{name: "group, bad member", args: with("group", "create", "Team", "B!"), err: "user name"},

		{name: "send", args: with("send", "bob", "hello"), want: &sendCmd{conv: "direct:alice:bob", text: "hello"}},
		{name: "send words", args: with("send", "group:g1", "hello", "there"), want: &sendCmd{conv: "group:g1", text: "hello there"}},
		{name: "send dashed text", args: with("send", "bob", "--", "-1"), want: &sendCmd{conv: "direct:alice:bob", text: "-1"}},
		{name: "send nothing", args: with("send", "bob"), err: "PEER TEXT"},
		{name: "send to self", args: with("send", "alice", "hi"), err: "yourself"},

		{name: "history", args: with("history", "bob"), want: &historyCmd{conv: "direct:alice:bob", limit: 50}},
		{name: "history, flag after", args: with("history", "bob", "--limit", "500"), want: &historyCmd{conv: "direct:alice:bob", limit: 500}},
		{name: "history, flag before", args: with("history", "-limit=3", "group:g1"), want: &historyCmd{conv: "group:g1", limit: 3}},
		{name: "history, bad limit", args: with("history", "bob", "--limit", "0"), err: "--limit"},
		{name: "history, limit not a number", args: with("history", "bob", "--limit", "many"), err: "limit"},

		{name: "call", args: with("call", "bob"), want: &callCmd{invite: audio("direct:alice:bob"), opts: callOptions{hold: 5 * time.Second}}},
		{name: "call, flags after", args: with("call", "bob", "--video", "--hold", "2s", "--timeout", "20s", "--cancel-after", "1s"),
			want: &callCmd{invite: protocol.CallInvite{Conversation: "direct:alice:bob", Media: protocol.MediaVideo, TimeoutMS: 20000},
				opts: callOptions{hold: 2 * time.Second, cancelAfter: time.Second}}},
		{name: "call, flags around", args: with("call", "--video", "group:g1", "--hold=0s", "bob", "carol"),
			want: &callCmd{invite: protocol.CallInvite{Conversation: "group:g1", Media: protocol.MediaVideo, Invitees: []string{"bob", "carol"}}}},
		{name: "call a whole group", args: with("call", "group:g1"), want: &callCmd{invite: audio("group:g1"), opts: callOptions{hold: 5 * time.Second}}},
		{name: "call nobody", args: with("call", "--video"), err: "PEER"},
		{name: "call two users", args: with("call", "bob", "carol"), err: "group:ID USER"},
		{name: "call, bad duration", args: with("call", "bob", "--hold", "soon"), err: "hold"},
		{name: "call, negative hold", args: with("call", "bob", "--hold", "-1s"), err: "--hold"},
		{name: "call, timeout out of range", args: with("call", "bob", "--timeout", "1s"), err: "--timeout"},
		{name: "call, too many", args: with("call", "group:g1", "a", "b", "c", "d", "e", "f", "g", "h", "i"), err: "at most 8"},
		{name: "call, same user twice", args: with("call", "group:g1", "bob", "bob"), err: "twice"},
		{name: "call, bad group", args: with("call", "group:G!"), err: "bad id"},

		{name: "answer", args: with("answer"), want: &answerCmd{wait: time.Minute, opts: callOptions{hold: 5 * time.Second}}},
		{name: "answer, flags", args: with("answer", "--decline", "--wait", "3s", "--hold", "0"),
			want: &answerCmd{wait: 3 * time.Second, opts: callOptions{declineInvite: true}}},
		{name: "answer with media flags", args: with("answer", "--test-media", "--voice-only", "--mute-after", "1s", "--relay-only"),
			want: &answerCmd{wait: time.Minute, opts: callOptions{hold: 5 * time.Second, testMedia: true, answerVoice: true, muteAfter: time.Second, relayOnly: true}}},
		{name: "call with files", args: with("call", "bob", "--video", "--video-file", "clip.y4m", "--audio-file", "clip.wav", "--cpuprofile", "cpu.prof"),
			want: &callCmd{invite: protocol.CallInvite{Conversation: "direct:alice:bob", Media: protocol.MediaVideo},
				opts: callOptions{hold: 5 * time.Second, videoFile: "clip.y4m", audioFile: "clip.wav", cpuProfile: "cpu.prof"}}},
		{name: "answer comparing", args: with("answer", "--compare", "clip.y4m", "--fps", "15"),
			want: &answerCmd{wait: time.Minute, opts: callOptions{hold: 5 * time.Second, compare: "clip.y4m", frameRate: 15}}},
		{name: "call, file and size", args: with("call", "bob", "--video-file", "clip.y4m", "--video-size", "320x240"), err: "--video-size"},
		{name: "call, negative mute", args: with("call", "bob", "--mute-after", "-1s"), err: "--mute-after"},
		{name: "answer, bad wait", args: with("answer", "--wait", "0s"), err: "--wait"},
		{name: "answer, argument", args: with("answer", "bob"), err: "no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := parse(tt.args, func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v; want an error with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(inv.cmd, tt.want) {
				t.Errorf("got %#v; want %#v", inv.cmd, tt.want)
			}
			if inv.password != "pw12" || inv.user != "alice" {
				t.Errorf("user, password = %q, %q", inv.user, inv.password)
			}
		})
	}
}

func TestParseHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"--server", "http://x", "call", "-h"}, {"history", "bob", "--help"}} {
		if _, err := parse(args, func(string) string { return "" }); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("parse(%q) = %v; want flag.ErrHelp", args, err)
		}
	}
}

func TestConversationOf(t *testing.T) {
	tests := []struct {
		me, peer, want string
	}{
		{"alice", "bob", "direct:alice:bob"},
		{"bob", "alice", "direct:alice:bob"},
		{"zed", "a.b-c_d", "direct:a.b-c_d:zed"},
		{"alice", "group:abc123", "group:abc123"},
		{"alice", "alice", ""},
		{"alice", "Bob", ""},
		{"alice", "group:", ""},
		{"alice", "group:a:b", ""},
		{"alice", "direct:alice:bob", ""},
		{"alice", "", ""},
	}
	for _, tt := range tests {
		got, err := conversationOf(tt.me, tt.peer)
		if (err == nil) != (tt.want != "") || got != tt.want && err == nil {
			t.Errorf("conversationOf(%q, %q) = %q, %v; want %q", tt.me, tt.peer, got, err, tt.want)
		}
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args []string
		pos  []string
		v    bool
	}{
		{nil, nil, false},
		{[]string{"a", "b"}, []string{"a", "b"}, false},
		{[]string{"-v", "a"}, []string{"a"}, true},
		{[]string{"a", "-v", "b"}, []string{"a", "b"}, true},
		{[]string{"a", "b", "--v"}, []string{"a", "b"}, true},
		{[]string{"a", "--", "-v", "b"}, []string{"a", "-v", "b"}, false},
		{[]string{"--", "--"}, []string{"--"}, false},
		{[]string{"-", "-v"}, []string{"-"}, true},
	}
	for _, tt := range tests {
		fs := newFlagSet("test")
		v := fs.Bool("v", false, "")
		pos, err := parseArgs(fs, tt.args)
		if err != nil || !reflect.DeepEqual(pos, tt.pos) || *v != tt.v {
			t.Errorf("parseArgs(%q) = %q, -v=%v, %v; want %q, -v=%v", tt.args, pos, *v, err, tt.pos, tt.v)
		}
	}
}
