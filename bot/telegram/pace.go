package telegram

import (
	"sync"
	"time"
)

// maxPacedChats bounds the pacer's memory; idle chats are swept past it.
const maxPacedChats = 10_000

// pacer spaces sends to Telegram's limits: about one message a second per
// chat and at most groupLimit a minute per group. Callers reserve a slot and
// wait until it comes; reservations are handed out in order, so a burst to
// one chat queues up instead of failing with 429s.
type pacer struct {
	mu         sync.Mutex
	interval   time.Duration // per chat; 0 means no pacing
	groupLimit int           // per window in a group; 0 means no limit
	window     time.Duration
	chats      map[int64]*chatPace
}

type chatPace struct {
	next   time.Time   // earliest time of the next send
	recent []time.Time // a group's reserved send times within the window, oldest first
}

func newPacer(interval time.Duration, groupLimit int) *pacer {
	return &pacer{
		interval:   max(interval, 0),
		groupLimit: max(groupLimit, 0),
		window:     time.Minute,
		chats:      make(map[int64]*chatPace),
	}
}

// reserve books the next send to chat and returns when it may happen.
func (p *pacer) reserve(chat int64, group bool, now time.Time) time.Time {
	if p.interval == 0 && (p.groupLimit == 0 || !group) {
		return now
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.chats) >= maxPacedChats {
		p.sweep(now)
	}
	c := p.chats[chat]
	if c == nil {
		c = &chatPace{}
		p.chats[chat] = c
	}
	at := now
	if c.next.After(at) {
		at = c.next
	}
	if group && p.groupLimit > 0 {
		cut := 0
		for cut < len(c.recent) && !c.recent[cut].Add(p.window).After(at) {
			cut++
		}
		c.recent = c.recent[cut:]
		if len(c.recent) >= p.groupLimit {
			at = c.recent[len(c.recent)-p.groupLimit].Add(p.window)
			c.recent = c.recent[len(c.recent)-p.groupLimit+1:]
		}
		c.recent = append(c.recent, at)
	}
	c.next = at.Add(p.interval)
	return at
}

// sweep forgets chats with nothing booked in the future. Called with mu held.
func (p *pacer) sweep(now time.Time) {
	for id, c := range p.chats {
		idle := !c.next.After(now)
		if n := len(c.recent); n > 0 && c.recent[n-1].Add(p.window).After(now) {
			idle = false
		}
		if idle {
			delete(p.chats, id)
		}
	}
}
