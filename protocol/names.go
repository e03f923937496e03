package protocol

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	userNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,31}$`)
	groupIDRE  = regexp.MustCompile(`^[a-z0-9]{1,32}$`)
	opaqueIDRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)
)

// ValidUserName reports whether s may name a user: 1 to 32 characters of
// lower-case letters, digits, '_', '.', '-', starting with a letter or digit.
func ValidUserName(s string) error {
	if !userNameRE.MatchString(s) {
		return Errorf(CodeBadRequest, "user name %q must be 1-32 of a-z 0-9 _ . - and start with a letter or digit", clip(s))
	}
	return nil
}

// Conversation ids: "direct:A:B" for two users (names sorted, so both sides
// compute the same id) and "group:ID" for a group.
const (
	directPrefix = "direct:"
	groupPrefix  = "group:"
)

// DirectConversation is the id of the conversation between users a and b.
func DirectConversation(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return directPrefix + a + ":" + b
}

// GroupConversation is the id of the conversation of group id.
func GroupConversation(id string) string { return groupPrefix + id }

// ParseConversation splits a conversation id. For a direct conversation it
// returns the two users; for a group, its id.
func ParseConversation(conv string) (users [2]string, group string, err error) {
	switch {
	case strings.HasPrefix(conv, directPrefix):
		a, b, ok := strings.Cut(conv[len(directPrefix):], ":")
		if !ok || ValidUserName(a) != nil || ValidUserName(b) != nil || a >= b {
			return users, "", Errorf(CodeBadRequest, "direct conversation %q must be direct:A:B with A < B", clip(conv))
		}
		return [2]string{a, b}, "", nil
	case strings.HasPrefix(conv, groupPrefix):
		id := conv[len(groupPrefix):]
		if !groupIDRE.MatchString(id) {
			return users, "", Errorf(CodeBadRequest, "group conversation %q has a bad id", clip(conv))
		}
		return users, id, nil
	}
	return users, "", Errorf(CodeBadRequest, "conversation %q must start with direct: or group:", clip(conv))
}

// ValidConversation checks a conversation id.
func ValidConversation(conv string) error {
	_, _, err := ParseConversation(conv)
	return err
}

func validOpaque(field, s string) error {
	if !opaqueIDRE.MatchString(s) {
		return Errorf(CodeBadRequest, "%s must be 1-64 of A-Z a-z 0-9 _ . : -", field)
	}
	return nil
}

func validUsers(field string, users []string, max int) error {
	if len(users) > max {
		return Errorf(CodeBadRequest, "%s holds %d users; at most %d", field, len(users), max)
	}
	seen := make(map[string]bool, len(users))
	for _, u := range users {
		if err := ValidUserName(u); err != nil {
			return err
		}
		if seen[u] {
			return Errorf(CodeBadRequest, "%s names %q twice", field, u)
		}
		seen[u] = true
	}
	return nil
}

// validBytes checks that s, the value of field, is min to max bytes of UTF-8.
func validBytes(field, s string, min, max int) error {
	if len(s) < min || len(s) > max || !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return Errorf(CodeBadRequest, "%s must be %d-%d bytes of UTF-8 without NUL", field, min, max)
	}
	return nil
}

// clip keeps error messages short when the input is not.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
