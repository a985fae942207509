package store

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// KeyPrefix is put in front of every key the Redis store writes, so that
// beianbot can share a Redis database with other programs.
const KeyPrefix = "beianbot:"

// allowScript counts one event in a fixed window: the first increment of a
// window sets its expiry. The PTTL test also repairs a counter that somehow
// lost its expiry, so a key can never count forever.
const allowScript = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
`

// Redis is a Store kept in Redis, shared by every replica that uses the same
// server and database. It is safe for concurrent use.
type Redis struct {
	client *redis.Client
	opt    *redis.Options // for the probe's own connections
	allow  *redis.Script
	addr   string
}

// NewRedis returns a Redis store for rawURL (redis://[user:pass@]host:port/db
// or rediss:// for TLS). It does not connect: the first command or Ping does.
// Options the URL's query does not set get short defaults, so that an
// unreachable server fails a call in about a second instead of hanging it.
// The error never contains the URL, which may hold a password.
func NewRedis(rawURL string) (*Redis, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole URL, password included
		}
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	if err := checkOptions(opt); err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	if opt.DialTimeout == 0 {
		opt.DialTimeout = time.Second
	}
	if opt.DialerRetries == 0 {
		opt.DialerRetries = 1
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = 500 * time.Millisecond
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = 500 * time.Millisecond
	}
	if opt.PoolTimeout == 0 {
		opt.PoolTimeout = time.Second
	}
	if opt.MaxRetries == 0 {
		// One retry: after a server restart the first command on a pooled
		// connection can hit the dead socket; the retry takes a fresh one.
		opt.MaxRetries = 1
	}
	opt.ContextTimeoutEnabled = true
	// Servers before Redis 8 do not know maintenance notifications; asking
	// for them would only make the client log the refusal.
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	probe := *opt
	probe.PoolSize, probe.MinIdleConns, probe.MaxRetries = 1, 0, -1
	return &Redis{client: redis.NewClient(opt), opt: &probe, allow: redis.NewScript(allowScript), addr: opt.Addr}, nil
}

// checkOptions refuses what the URL's query may set but the client cannot
// use: negative sizes and counts, which would make it panic or misbehave.
func checkOptions(opt *redis.Options) error {
	for _, o := range []struct {
		name string
		v    int
	}{
		{"pool_size", opt.PoolSize},
		{"min_idle_conns", opt.MinIdleConns},
		{"max_idle_conns", opt.MaxIdleConns},
		{"max_active_conns", opt.MaxActiveConns},
		{"db", opt.DB},
	} {
		if o.v < 0 {
			return fmt.Errorf("%s %d: must not be negative", o.name, o.v)
		}
	}
	if opt.PoolSize > 10_000 {
		return fmt.Errorf("pool_size %d: at most 10000", opt.PoolSize)
	}
	return nil
}

// probeKey is the key Probe writes.
const probeKey = KeyPrefix + "probe"

// Probe checks that the store works as the calls need it to: on a new
// connection of its own, which must log in, it writes a short-lived key.
// So it fails when the server is out of memory under noeviction, paused for
// writes, or refuses the credentials, even while pooled connections still
// answer PING.
//
// It dials the connection itself, so that a server that is gone fails the
// probe quietly: the client library would print each failed dial to
// stderr, once a second for as long as an outage lasts.
func (r *Redis) Probe(ctx context.Context) error {
	conn, err := r.dial(ctx)
	if err != nil {
		return fmt.Errorf("redis probe: %w", err)
	}
	opt := *r.opt
	opt.Dialer = func(context.Context, string, string) (net.Conn, error) {
		if conn == nil {
			return nil, errors.New("probe connection already used")
		}
		c := conn
		conn = nil
		return c, nil
	}
	c := redis.NewClient(&opt)
	defer c.Close()
	if err := c.Set(ctx, probeKey, "1", 10*time.Second).Err(); err != nil {
		return fmt.Errorf("redis probe: %w", err)
	}
	return nil
}

// dial opens a connection to the server as the client would: TCP or a Unix
// socket, with TLS for rediss://.
func (r *Redis) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{Timeout: r.opt.DialTimeout, KeepAlive: 5 * time.Minute}
	if r.opt.TLSConfig == nil {
		return d.DialContext(ctx, r.opt.Network, r.opt.Addr)
	}
	td := &tls.Dialer{NetDialer: d, Config: r.opt.TLSConfig}
	return td.DialContext(ctx, r.opt.Network, r.opt.Addr)
}

// Addr returns the server's host:port, which is safe to log.
func (r *Redis) Addr() string { return r.addr }

// Ping checks that the server answers.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

// Close closes the connections to the server.
func (r *Redis) Close() error { return r.client.Close() }

// FirstSeen implements Store with SET key 1 NX PX ttl.
func (r *Redis) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	err := r.client.SetArgs(ctx, KeyPrefix+key, "1", redis.SetArgs{Mode: "NX", TTL: ttlOrMin(ttl)}).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, redis.Nil): // NX and the key exists
		return false, nil
	default:
		return false, fmt.Errorf("redis set nx: %w", err)
	}
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := r.client.Get(ctx, KeyPrefix+key).Bytes()
	return value(b, err, "redis get")
}

// value turns a reply of one value into what Get and Take return: a key
// that is not there is no error.
func value(b []byte, err error, op string) ([]byte, bool, error) {
	switch {
	case err == nil:
		return b, true, nil
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	default:
		return nil, false, fmt.Errorf("%s: %w", op, err)
	}
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := r.client.Set(ctx, KeyPrefix+key, value, ttlOrMin(ttl)).Err(); err != nil {
		return fmt.Errorf("redis set: %w", err)
	}
	return nil
}

// Allow implements Store: INCR, and PEXPIRE on the first increment of the
// window, run atomically as one script.
func (r *Redis) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	n, err := r.allow.Run(ctx, r.client, []string{KeyPrefix + key}, ttlOrMin(window).Milliseconds()).Int64()
	if err != nil {
		return false, fmt.Errorf("redis allow: %w", err)
	}
	return n <= int64(limit), nil
}

// ttlOrMin keeps a TTL positive: Redis treats 0 as "no expiry" and rejects
// negative ones, while the Store contract always expires keys.
func ttlOrMin(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return time.Millisecond
	}
	return d
}
