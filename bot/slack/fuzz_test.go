package slack

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/beianbot/beianbot/bot"
)

// wellFormed reports why s is not safe mrkdwn: every & must start one of
// the three entities, and every < a link we made, closed by >.
func wellFormed(s string) string {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			rest := s[i:]
			if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
				return "bare & at " + strconv.Itoa(i)
			}
		case '<':
			rest := s[i+1:]
			if lower := strings.ToLower(rest); !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") &&
				!strings.HasPrefix(lower, "mailto:") {
				return "< that is not a link at " + strconv.Itoa(i)
			}
			end := strings.IndexByte(rest, '>')
			if end < 0 || strings.IndexByte(rest[:end], '<') >= 0 || !strings.Contains(rest[:end], "|") {
				return "unclosed link at " + strconv.Itoa(i)
			}
			i += end + 1
		case '>':
			return "bare > at " + strconv.Itoa(i)
		}
	}
	return ""
}

func FuzzMrkdwn(f *testing.F) {
	for _, s := range []string{
		"**Q?**\n\nA [link](https://a.example/x?a=1&b=2) `code <x>`\n- item",
		"这是**重要**的", "[a|b>](https://x.example/p|q>)", "<!channel> & <@U1>", "[x](javascript:alert(1))",
		"**[x](https://a.example)**", "` ** [ ](", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		out := toMrkdwn(md)
		if !utf8.ValidString(out) {
			t.Fatalf("toMrkdwn(%q) = %q: invalid UTF-8", md, out)
		}
		if why := wellFormed(out); why != "" {
			t.Fatalf("toMrkdwn(%q) = %q: %s", md, out, why)
		}
		for _, limit := range []int{7, 40, maxSectionText} {
			for _, c := range splitMrkdwn(out, limit) {
				if w := width(c); w == 0 || w > limit {
					t.Fatalf("splitMrkdwn(%q, %d): chunk %q width %d", out, limit, c, w)
				}
				if !utf8.ValidString(c) {
					t.Fatalf("splitMrkdwn(%q, %d): chunk %q invalid UTF-8", out, limit, c)
				}
			}
		}
		parts := render(bot.Reply{Text: md, Buttons: []bot.Button{{Label: md, Value: "a|x|zh"}}})
		if len(parts) == 0 || len(parts) > maxParts {
			t.Fatalf("render(%q): %d messages, want 1..%d", md, len(parts), maxParts)
		}
		for _, r := range parts {
			if len(r.Blocks) > maxBlocks || width(r.Text) > maxFallback || blocksWidth(r.Blocks) > maxMessageText {
				t.Fatalf("render(%q): %d blocks, fallback width %d, text width %d", md, len(r.Blocks), width(r.Text), blocksWidth(r.Blocks))
			}
		}
	})
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{
		"<@UBOT> 备案要多久", "<@U2|alice> <#C1|general> <!here> <http://example.com|example.com>",
		"<mailto:a@b.example|a@b.example> &amp;&lt;&gt;", "<<>>|<@UBOT|x", "<!date^1^{date}|x>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, mentioned := plainText(s, testBotUser)
		if !utf8.ValidString(s) {
			return
		}
		// With no other markup around it, a mention is always seen and removed.
		if strings.Count(s, "<") == 1 && strings.Count(s, ">") == 1 && strings.Contains(s, "<@"+testBotUser+">") {
			if !mentioned {
				t.Fatalf("plainText(%q) = %q, %v: mention not removed", s, got, mentioned)
			}
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("plainText(%q) = %q: spaces not normalised", s, got)
		}
	})
}

func FuzzCallback(f *testing.F) {
	for _, s := range []string{
		`{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","user":"U1","text":"<@UBOT> hi","ts":"1.1","channel":"C1"}}`,
		`{"type":"event_callback","event_id":"Ev2","event":{"type":"message","subtype":"bot_message","bot_id":"B1","ts":"1.1","channel":"C1"}}`,
		`{"type":"event_callback","event":{"type":"message","user":"U1","text":"x","ts":"1.1","thread_ts":"1.0","channel":"D1","channel_type":"im"}}`,
		`{"type":"url_verification","challenge":"abc"}`,
		`{"type":1}`, `null`, `{"type":"event_callback","event":[]}`,
	} {
		f.Add([]byte(s))
	}
	a := &Adapter{botUserID: testBotUser}
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := parseCallback(body)
		if err != nil {
			return
		}
		in, ok := a.translate(cb.Event)
		if !ok {
			return
		}
		switch {
		case in.msg.UserID == "" || in.msg.UserID == testBotUser:
			t.Fatalf("answering user %q", in.msg.UserID)
		case cb.Event.BotID != "":
			t.Fatal("answering a bot")
		case in.to.channel == "" || (!in.msg.Direct && in.to.threadTS == ""):
			t.Fatalf("channel message without a thread: %+v", in.to)
		case strings.Contains(in.msg.Text, "<@"+testBotUser):
			t.Fatalf("bot mention left in %q", in.msg.Text)
		}
	})
}
