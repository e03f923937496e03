package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"parley/protocol"
)

func TestEnsureDirect(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db := newTest(t, s)
		for _, tc := range []struct {
			a, b    string
			want    string
			wantErr error
		}{
			{a: "alice", b: "bob", want: "direct:alice:bob"},
			{a: "bob", b: "alice", want: "direct:alice:bob"},
			{a: "carol", b: "alice", want: "direct:alice:carol"},
			{a: "alice", b: "alice", wantErr: errAny},
			{a: "alice", b: "", wantErr: errAny},
			{a: "alice", b: "nobody", wantErr: ErrNotFound},
		} {
			id, err := db.EnsureDirect(ctx, tc.a, tc.b)
			if !matches(err, tc.wantErr) {
				t.Errorf("EnsureDirect(%q, %q) = %q, %v; want error %v", tc.a, tc.b, id, err, tc.wantErr)
			}
			if err != nil {
				continue
			}
			if id != tc.want {
				t.Errorf("EnsureDirect(%q, %q) = %q, want %q", tc.a, tc.b, id, tc.want)
			}
			c, err := db.Conversation(ctx, id)
			want := []string{min(tc.a, tc.b), max(tc.a, tc.b)}
			if err != nil || c.ID != id || c.Name != "" || !slices.Equal(c.Members, want) {
				t.Errorf("Conversation(%q) = %+v, %v; want members %q", id, c, err, want)
			}
		}
		// A failed EnsureDirect leaves nothing behind.
		if _, err := db.Conversation(ctx, "direct:alice:nobody"); !errors.Is(err, ErrNotFound) {
			t.Errorf("conversation with a missing user: %v, want ErrNotFound", err)
		}
	})
}

func TestCreateGroup(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db := newTest(t, s)
		for _, tc := range []struct {
			id, name, creator string
			members           []string
			want              protocol.Conversation
			wantErr           error
		}{
			{
				id: "g1", name: "Friends", creator: "carol", members: []string{"bob", "alice", "carol", "bob"},
				want: protocol.Conversation{ID: "group:g1", Name: "Friends", Members: []string{"alice", "bob", "carol"}},
			},
			{
				id: "group:g2", name: "Alone", creator: "dave",
				want: protocol.Conversation{ID: "group:g2", Name: "Alone", Members: []string{"dave"}},
			},
			{id: "g1", name: "Again", creator: "alice", wantErr: ErrExists},
			{id: "g3", name: "Ghosts", creator: "alice", members: []string{"nobody"}, wantErr: ErrNotFound},
		} {
			c, err := db.CreateGroup(ctx, tc.id, tc.name, tc.creator, tc.members)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("CreateGroup(%q): %v, want %v", tc.id, err, tc.wantErr)
				continue
			}
			if err != nil {
				continue
			}
			if !equalConv(c, tc.want) {
				t.Errorf("CreateGroup(%q) = %+v, want %+v", tc.id, c, tc.want)
			}
			if got, err := db.Conversation(ctx, c.ID); err != nil || !equalConv(got, tc.want) {
				t.Errorf("Conversation(%q) = %+v, %v; want %+v", c.ID, got, err, tc.want)
			}
		}
		if _, err := db.Conversation(ctx, "group:g3"); !errors.Is(err, ErrNotFound) {
			t.Errorf("group with a missing member: %v, want ErrNotFound", err)
		}
		for _, id := range []string{"", "Bad", "g:1", "direct:alice:bob", "group:"} {
			if c, err := db.CreateGroup(ctx, id, "x", "alice", nil); err == nil {
				t.Errorf("CreateGroup(%q) = %+v, want an error", id, c)
			}
		}
	})
}

func equalConv(a, b protocol.Conversation) bool {
	return a.ID == b.ID && a.Name == b.Name && a.LastSeq == b.LastSeq && slices.Equal(a.Members, b.Members)
}

func TestAddMembers(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db := newTest(t, s)
		if _, err := db.CreateGroup(ctx, "g", "G", "alice", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.EnsureDirect(ctx, "alice", "bob"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			conv    string
			add     []string
			want    []string
			wantErr error
		}{
			{conv: "group:g", add: []string{"bob"}, want: []string{"alice", "bob"}},
			{conv: "group:g", add: []string{"carol", "bob", "alice"}, want: []string{"alice", "bob", "carol"}},
			{conv: "group:g", add: nil, want: []string{"alice", "bob", "carol"}},
			{conv: "group:g", add: []string{"dave", "nobody"}, wantErr: ErrNotFound},
			{conv: "group:none", add: []string{"bob"}, wantErr: ErrNotFound},
			{conv: "direct:alice:bob", add: []string{"carol"}, wantErr: errAny},
			{conv: "junk", add: []string{"carol"}, wantErr: errAny},
		} {
			c, err := db.AddMembers(ctx, tc.conv, tc.add)
			if !matches(err, tc.wantErr) {
				t.Errorf("AddMembers(%q, %q): %v, want error %v", tc.conv, tc.add, err, tc.wantErr)
			}
			if err != nil {
				continue
			}
			if c.ID != tc.conv || !slices.Equal(c.Members, tc.want) {
				t.Errorf("AddMembers(%q, %q) = %+v, want members %q", tc.conv, tc.add, c, tc.want)
			}
		}
		// The failed add of dave and nobody added neither.
		if ok, err := db.IsMember(ctx, "group:g", "dave"); err != nil || ok {
			t.Errorf("dave is a member after a failed add: %v, %v", ok, err)
		}
	})
}

func TestMembership(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db := newTest(t, s)
		if _, err := db.EnsureDirect(ctx, "alice", "bob"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateGroup(ctx, "g", "G", "carol", []string{"alice"}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			conv, user string
			want       bool
		}{
			{"direct:alice:bob", "alice", true},
			{"direct:alice:bob", "bob", true},
			{"direct:alice:bob", "carol", false},
			{"group:g", "carol", true},
			{"group:g", "bob", false},
			{"group:none", "alice", false},
			{"", "", false},
		} {
			if got, err := db.IsMember(ctx, tc.conv, tc.user); err != nil || got != tc.want {
				t.Errorf("IsMember(%q, %q) = %v, %v; want %v", tc.conv, tc.user, got, err, tc.want)
			}
		}
		for _, tc := range []struct {
			conv    string
			want    []string
			wantErr error
		}{
			{"direct:alice:bob", []string{"alice", "bob"}, nil},
			{"group:g", []string{"alice", "carol"}, nil},
			{"group:none", nil, ErrNotFound},
		} {
			got, err := db.Members(ctx, tc.conv)
			if !errors.Is(err, tc.wantErr) || !slices.Equal(got, tc.want) {
				t.Errorf("Members(%q) = %q, %v; want %q, %v", tc.conv, got, err, tc.want, tc.wantErr)
			}
		}
		for _, tc := range []struct {
			user string
			want []string
		}{
			{"alice", []string{"bob", "carol"}},
			{"bob", []string{"alice"}},
			{"carol", []string{"alice"}},
			{"dave", []string{}},
			{"nobody", []string{}},
		} {
			got, err := db.Contacts(ctx, tc.user)
			if err != nil || got == nil || !slices.Equal(got, tc.want) {
				t.Errorf("Contacts(%q) = %#v, %v; want %q", tc.user, got, err, tc.want)
			}
		}
	})
}

func TestConversations(t *testing.T) {
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
		if _, err := db.CreateGroup(ctx, "g", "G", "alice", []string{"bob", "dave"}); err != nil {
			t.Fatal(err)
		}
		// Activity, oldest first: ac, then the group, then ab twice. The times
		// are far ahead of the creation times, which are now.
		future := int64(1) << 50
		for i, conv := range []string{ac, "group:g", ab, ab} {
			m := protocol.Message{Conversation: conv, From: "alice", Type: protocol.KindText, Text: "hi", TimeMS: future + int64(i)}
			if _, _, err := db.AppendMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			user string
			want []protocol.Conversation
		}{
			{"alice", []protocol.Conversation{
				{ID: ab, Members: []string{"alice", "bob"}, LastSeq: 2},
				{ID: "group:g", Name: "G", Members: []string{"alice", "bob", "dave"}, LastSeq: 1},
				{ID: ac, Members: []string{"alice", "carol"}, LastSeq: 1},
			}},
			{"dave", []protocol.Conversation{
				{ID: "group:g", Name: "G", Members: []string{"alice", "bob", "dave"}, LastSeq: 1},
			}},
			{"nobody", []protocol.Conversation{}},
		} {
			got, err := db.Conversations(ctx, tc.user)
			if err != nil || got == nil || !slices.EqualFunc(got, tc.want, equalConv) {
				t.Errorf("Conversations(%q) = %+v, %v; want %+v", tc.user, got, err, tc.want)
			}
		}
	})
}

func TestAddMembersStopsAtTheGroupLimit(t *testing.T) {
	forEachStore(t, func(t *testing.T, s testStore) {
		ctx := t.Context()
		db := newTest(t, s)
		var others []string
		for i := range protocol.MaxGroupMembers {
			u := fmt.Sprintf("user%03d", i)
			if err := db.CreateUser(ctx, u, []byte("h")); err != nil {
				t.Fatal(err)
			}
			others = append(others, u)
		}
		// alice and 198 others: one place left.
		if _, err := db.CreateGroup(ctx, "g", "G", "alice", others[:protocol.MaxGroupMembers-2]); err != nil {
			t.Fatal(err)
		}
		_, err := db.AddMembers(ctx, "group:g", others[protocol.MaxGroupMembers-2:])
		var pe *protocol.Error
		if !errors.As(err, &pe) || pe.Code != protocol.CodeConflict {
			t.Fatalf("adding two to a group with one place left: %v; want a conflict", err)
		}
		if ok, _ := db.IsMember(ctx, "group:g", others[protocol.MaxGroupMembers-2]); ok {
			t.Error("the refused add added someone")
		}
		c, err := db.AddMembers(ctx, "group:g", others[protocol.MaxGroupMembers-2:protocol.MaxGroupMembers-1])
		if err != nil || len(c.Members) != protocol.MaxGroupMembers {
			t.Errorf("adding the last one: %d members, %v; want %d", len(c.Members), err, protocol.MaxGroupMembers)
		}
	})
}
