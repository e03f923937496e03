package protocol

// HTTP endpoints. Everything else happens on the websocket at PathWS.
const (
	PathLogin    = "/api/login"
	PathRegister = "/api/register"
	PathWS       = "/ws"
)

// Credentials is the body of POST /api/login and POST /api/register.
type Credentials struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// Password limits: bcrypt reads at most 72 bytes.
const (
	MinPasswordBytes = 4
	MaxPasswordBytes = 72
)

func (c *Credentials) Validate() error {
	if err := ValidUserName(c.User); err != nil {
		return err
	}
	return ValidPassword(c.Password)
}

// ValidPassword checks the length and encoding of a password.
func ValidPassword(pw string) error {
	return validBytes("password", pw, MinPasswordBytes, MaxPasswordBytes)
}

// ICEServer is one STUN or TURN server, in the shape of RTCIceServer.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// LoginReply is the body of a successful login.
type LoginReply struct {
	User         string      `json:"user"`
	Token        string      `json:"token"`
	ExpiresMS    int64       `json:"expires_ms"`
	ServerTimeMS int64       `json:"server_time_ms"`
	ICEServers   []ICEServer `json:"ice_servers"`
}

// ErrorReply is the body of every HTTP error.
type ErrorReply struct {
	Error Error `json:"error"`
}
