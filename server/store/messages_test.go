package store

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"parley/protocol"
)

func TestAppendMessage(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db := newTest(t, s)
		ab, err := db.EnsureDirect(ctx, "alice", "bob")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateGroup(ctx, "g", "G", "alice", []string{"bob"}); err != nil {
			t.Fatal(err)
		}
		text := func(conv, from, clientID, text string) protocol.Message {
			return protocol.Message{Conversation: conv, From: from, ClientID: clientID, Type: protocol.KindText, Text: text, TimeMS: 1000}
		}
		record := protocol.Message{
			Conversation: ab, From: "alice", Type: protocol.KindCallRecord, TimeMS: 2000,
			CallID: "call-1", Media: protocol.MediaVideo, Outcome: protocol.OutcomeCompleted, DurationMS: 61000,
		}
		for _, tc := range []struct {
			name        string
			m           protocol.Message
			wantSeq     int64
			wantText    string // what the stored message says
			wantExisted bool
			wantErr     error
		}{
			{"first", text(ab, "alice", "c1", "hello"), 1, "hello", false, nil},
			{"resend", text(ab, "alice", "c1", "hello"), 1, "hello", true, nil},
			{"resend, other text", text(ab, "alice", "c1", "changed"), 1, "hello", true, nil},
			{"same client id, other sender", text(ab, "bob", "c1", "hi"), 2, "hi", false, nil},
			{"same client id, other conversation", text("group:g", "alice", "c1", "all"), 1, "all", false, nil},
			{"no client id", text(ab, "bob", "", "again"), 3, "again", false, nil},
			{"no client id, again", text(ab, "bob", "", "again"), 4, "again", false, nil},
			{"call record", record, 5, "", false, nil},
			{"missing conversation", text("group:none", "alice", "c9", "x"), 0, "", false, ErrNotFound},
			{"missing conversation, no client id", text("group:none", "alice", "", "x"), 0, "", false, ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, existed, err := db.AppendMessage(ctx, tc.m)
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				if err != nil {
					return
				}
				want := tc.m
				want.Seq, want.Text = tc.wantSeq, tc.wantText
				if got != want || existed != tc.wantExisted {
					t.Errorf("got %+v existed %v, want %+v existed %v", got, existed, want, tc.wantExisted)
				}
				msgs, _, err := db.History(ctx, tc.m.Conversation, got.Seq+1, 1)
				if err != nil || len(msgs) != 1 || msgs[0] != want {
					t.Errorf("stored %+v, %v; want %+v", msgs, err, want)
				}
			})
		}
		c, err := db.Conversation(ctx, ab)
		if err != nil || c.LastSeq != 5 {
			t.Errorf("last seq %d, %v; want 5", c.LastSeq, err)
		}
	})
}

// appendN appends n messages to conv, with texts "<conv> 1", "<conv> 2"...
func appendN(t *testing.T, db *DB, conv string, n int) {
	t.Helper()
	for i := range n {
		m := protocol.Message{Conversation: conv, From: "alice", Type: protocol.KindText, Text: fmt.Sprint(conv, " ", i+1)}
		if _, _, err := db.AppendMessage(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
}

// seqs returns the seqs of msgs.
func seqs(msgs []protocol.Message) []int64 {
	var s []int64
	for _, m := range msgs {
		s = append(s, m.Seq)
	}
	return s
}

// span returns the seqs from..to.
func span(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func TestHistory(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db := newTest(t, s)
		conv, err := db.EnsureDirect(ctx, "alice", "bob")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateGroup(ctx, "empty", "Empty", "alice", nil); err != nil {
			t.Fatal(err)
		}
		appendN(t, db, conv, 60)
		for _, tc := range []struct {
			conv   string
			before int64
			limit  int
			want   []int64
			more   bool
		}{
			{conv, 0, 10, span(51, 60), true},
			{conv, 0, 0, span(11, 60), true}, // the default page
			{conv, 0, -1, span(11, 60), true},
			{conv, 0, 60, span(1, 60), false},
			{conv, 0, 1000, span(1, 60), false},
			{conv, 0, math.MaxInt, span(1, 60), false},
			{conv, 61, 5, span(56, 60), true},
			{conv, math.MaxInt64, 5, span(56, 60), true},
			{conv, 11, 10, span(1, 10), false},
			{conv, 11, 9, span(2, 10), true},
			{conv, 1, 10, nil, false},
			{conv, -5, 10, nil, false},
			{"group:empty", 0, 10, nil, false},
			{"group:none", 0, 10, nil, false},
		} {
			msgs, more, err := db.History(ctx, tc.conv, tc.before, tc.limit)
			if err != nil || msgs == nil || !slices.Equal(seqs(msgs), tc.want) || more != tc.more {
				t.Errorf("History(%q, %d, %d) = %v more %v, %v; want %v more %v",
					tc.conv, tc.before, tc.limit, seqs(msgs), more, err, tc.want, tc.more)
			}
		}

		// Page backwards to the start, as a client scrolling up does.
		var all []protocol.Message
		before := int64(0)
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			msgs, more, err := db.History(ctx, conv, before, 7)
			if err != nil {
				t.Fatal(err)
			}
			all = append(msgs, all...)
			if !more {
				break
			}
			before = msgs[0].Seq
		}
		if !slices.Equal(seqs(all), span(1, 60)) {
			t.Errorf("paged history: %v", seqs(all))
		}
		if all[0].Text != conv+" 1" {
			t.Errorf("first message %+v", all[0])
		}
	})
}

func TestSince(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db := newTest(t, s)
		ab, err := db.EnsureDirect(ctx, "alice", "bob")
		if err != nil {
			t.Fatal(err)
		}
		ac, err := db.EnsureDirect(ctx, "alice", "carol")
		if err != nil {
			t.Fatal(err)
		}
		bc, err := db.EnsureDirect(ctx, "bob", "carol") // not alice's
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateGroup(ctx, "g", "G", "alice", []string{"dave"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateGroup(ctx, "quiet", "Quiet", "alice", nil); err != nil {
			t.Fatal(err)
		}
		appendN(t, db, ab, 5)
		appendN(t, db, ac, 3)
		appendN(t, db, bc, 4)
		appendN(t, db, "group:g", 6)

		type cs struct {
			conv string
			seq  int64
		}
		got := func(msgs []protocol.Message) []cs {
			var l []cs
			for _, m := range msgs {
				l = append(l, cs{m.Conversation, m.Seq})
			}
			return l
		}
		from := func(conv string, seqs ...int64) []cs {
			var l []cs
			for _, s := range seqs {
				l = append(l, cs{conv, s})
			}
			return l
		}
		for _, tc := range []struct {
			name  string
			user  string
			after map[string]int64
			limit int
			want  []cs
			more  bool
		}{
			{"everything", "alice", nil, 100, slices.Concat(
				from(ab, 1, 2, 3, 4, 5), from(ac, 1, 2, 3), from("group:g", 1, 2, 3, 4, 5, 6)), false},
			{"cut inside a conversation", "alice", nil, 7, slices.Concat(
				from(ab, 1, 2, 3, 4, 5), from(ac, 1, 2)), true},
			{"cut at the end of a conversation", "alice", nil, 8, slices.Concat(
				from(ab, 1, 2, 3, 4, 5), from(ac, 1, 2, 3)), true},
			{"exactly all", "alice", nil, 14, slices.Concat(
				from(ab, 1, 2, 3, 4, 5), from(ac, 1, 2, 3), from("group:g", 1, 2, 3, 4, 5, 6)), false},
			{"after some", "alice", map[string]int64{ab: 4, ac: 3, "group:g": 2}, 100, slices.Concat(
				from(ab, 5), from("group:g", 3, 4, 5, 6)), false},
			{"foreign and unknown conversations ignored", "alice", map[string]int64{bc: 0, "group:none": 3, ab: 5, ac: 3}, 100,
				from("group:g", 1, 2, 3, 4, 5, 6), false},
			{"up to date", "alice", map[string]int64{ab: 5, ac: 3, "group:g": 6}, 100, nil, false},
			{"ahead of the server", "alice", map[string]int64{ab: 50, ac: 30, "group:g": 60}, 100, nil, false},
			{"negative after", "dave", map[string]int64{"group:g": -3}, 100, from("group:g", 1, 2, 3, 4, 5, 6), false},
			{"default limit", "dave", nil, 0, from("group:g", 1, 2, 3, 4, 5, 6), false},
			{"no conversations", "nobody", nil, 10, nil, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				msgs, more, err := db.Since(ctx, tc.user, tc.after, tc.limit)
				if err != nil || msgs == nil || !slices.Equal(got(msgs), tc.want) || more != tc.more {
					t.Errorf("Since = %v more %v, %v; want %v more %v", got(msgs), more, err, tc.want, tc.more)
				}
			})
		}

		// Page by updating after, as a client syncing does, while messages keep
		// coming: every message arrives once, in order within its conversation.
		after := map[string]int64{}
		seen := map[cs]bool{}
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("sync does not end")
			}
			msgs, more, err := db.Since(ctx, "alice", after, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				k := cs{m.Conversation, m.Seq}
				if seen[k] || m.Seq != after[m.Conversation]+1 {
					t.Fatalf("page %d: unexpected %v after %d", pages, k, after[m.Conversation])
				}
				seen[k] = true
				after[m.Conversation] = m.Seq
			}
			if pages == 1 {
				appendN(t, db, ab, 2)
			}
			if !more {
				break
			}
		}
		if want := map[string]int64{ab: 7, ac: 3, "group:g": 6}; !equalMaps(after, want) {
			t.Errorf("after syncing: %v, want %v", after, want)
		}
	})
}

func equalMaps(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
