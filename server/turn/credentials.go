package turn

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/pion/turn/v5"
)

// Credentials are those of the TURN REST scheme (draft-uberti-behave-turn-
// rest): the username is "expiry:user" with expiry in Unix seconds, and the
// password is base64(HMAC-SHA1(secret, username)). Any server holding the
// secret can check them without a lookup, and they stop working by
// themselves.
func Credentials(secret []byte, user string, expiry time.Time) (username, password string) {
	username = strconv.FormatInt(expiry.Unix(), 10) + ":" + user
	return username, restPassword(secret, username)
}

func restPassword(secret []byte, username string) string {
	mac := hmac.New(sha1.New, secret)
	mac.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// authenticate is pion's AuthHandler: it answers with the long-term key of
// a well-formed, unexpired username, and refuses anything else, so only
// holders of fresh credentials get a relay. (Binding requests, plain STUN,
// need no credentials.)
func (s *Server) authenticate(ra *turn.RequestAttributes) (userID string, key []byte, ok bool) {
	expiry, user, found := strings.Cut(ra.Username, ":")
	if !found || user == "" {
		return "", nil, false
	}
	t, err := strconv.ParseInt(expiry, 10, 64)
	if err != nil || time.Now().Unix() > t {
		return "", nil, false
	}
	return user, turn.GenerateAuthKey(ra.Username, ra.Realm, restPassword(s.secret, ra.Username)), true
}
