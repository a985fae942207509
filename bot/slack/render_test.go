package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/beianbot/beianbot/bot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func TestToMrkdwn(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "hello", "hello"},
		{"escape", "a & b <c> d", "a &amp; b &lt;c&gt; d"},
		{"mention cannot form", "<!channel> <@U1>", "&lt;!channel&gt; &lt;@U1&gt;"},
		{"bold", "**Q?**\n\nA.", "*Q?*\n\nA."},
		{"bold next to han", "这是**重要**的", "这是\u200b*重要*\u200b的"},
		{"bold after space", "a **b** c", "a *b* c"},
		{"unclosed bold", "a ** b", "a ** b"},
		{"code kept and escaped", "run `dig <name> & more`", "run `dig &lt;name&gt; &amp; more`"},
		{"unclosed code", "a ` b", "a ` b"},
		{"link", "see [the guide](https://help.aliyun.com/x?a=1&b=2)", "see <https://help.aliyun.com/x?a=1&amp;b=2|the guide>"},
		{"link with parens", "[w](https://en.wikipedia.org/wiki/ICP_(license))", "<https://en.wikipedia.org/wiki/ICP_(license)|w>"},
		{"link pipe and angle", "[a|b>](https://x.example/p|q>)", "<https://x.example/p%7Cq%3E|a|b&gt;>"},
		{"bold link", "**[x](https://a.example)**", "*<https://a.example|x>*"},
		{"relative link shows text", "[guide](/docs/x)", "guide"},
		{"javascript link shows text", "[x](javascript:alert(1))", "x"},
		{"mailto", "[mail](mailto:a@b.example)", "<mailto:a@b.example|mail>"},
		{"not a link", "[a] (b) [c](", "[a] (b) [c]("},
		{"list", "Steps:\n- one\n- two", "Steps:\n• one\n• two"},
		{"paragraphs collapse", "a\n\n\n\nb\r\nc  ", "a\n\nb\nc"},
		{"leading blank lines", "\n\na", "a"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, toMrkdwn(tt.in)); diff != "" {
				t.Errorf("toMrkdwn(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestSplitMrkdwn(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  []string
	}{
		{"fits", "a\n\nb", 10, []string{"a\n\nb"}},
		{"paragraphs", "aaaa\n\nbbbb\n\ncc", 10, []string{"aaaa\n\nbbbb", "cc"}},
		{"lines", "aaaa\nbbbb\ncccc", 10, []string{"aaaa\nbbbb", "cccc"}},
		{"words", "aaa bbb ccc ddd", 8, []string{"aaa bbb", "ccc ddd"}},
		{"no link cut", "xx <https://a.example|y> z", 22, []string{"xx", "<https://a.example|y>", "z"}},
		{"link longer than limit", "<https://a.example|y>", 10, []string{"<https://a", ".example|y", ">"}},
		{"no entity cut", "abcdefg&amp;h", 9, []string{"abcdefg", "&amp;h"}},
		{"han", "一二三四五六", 4, []string{"一二三四", "五六"}},
		{"empty", "", 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, splitMrkdwn(tt.in, tt.limit)); diff != "" {
				t.Errorf("splitMrkdwn (-want +got):\n%s", diff)
			}
		})
	}
}

// goldenReplies are rendered to testdata/golden/<name>.json.
func goldenReplies() map[string]bot.Reply {
	long := "**备案需要多久？**\n\n" + strings.Repeat("管局审核时间一般为 1-20 个工作日，以各省管局实际审核为准。详见 [备案流程](https://help.aliyun.com/zh/icp-filing/)。\n\n", 60)
	return map[string]bot.Reply{
		"answered": {Outcome: bot.OutcomeAnswered, Text: "**我的网站域名指向的是香港地区节点服务器，需要备案吗？**\n\n" +
			"不需要。备案针对的是**中国内地**的服务器。\n\n- 香港、澳门、台湾：无需备案\n- 内地：需要先完成 [ICP 备案](https://beian.miit.gov.cn/)\n\n查询命令：`dig example.com`"},
		"suggested": {Outcome: bot.OutcomeSuggested, Text: "I'm not sure which question you mean. Did you mean:",
			Buttons: []bot.Button{
				{Label: "Do I need ICP filing for a Hong Kong server?", Value: "a|section_cym|en"},
				{Label: "How long does the filing review take at the provincial Communications Administration in practice?", Value: "a|section_abc|en"},
			}},
		"escaped":    {Outcome: bot.OutcomeCheck, Text: "checking <script>&amp;.example…"},
		"long split": {Outcome: bot.OutcomeAnswered, Text: long},
	}
}

func TestRenderGolden(t *testing.T) {
	for name, rep := range goldenReplies() {
		t.Run(name, func(t *testing.T) {
			parts := render(rep)
			if len(parts) != 1 {
				t.Fatalf("%d messages, want 1", len(parts))
			}
			r := parts[0]
			for i, b := range r.Blocks {
				if sec, ok := b.(*slack.SectionBlock); ok {
					if w := width(sec.Text.Text); w > maxSectionText || w == 0 {
						t.Errorf("block %d text width %d, want 1..%d", i, w, maxSectionText)
					}
				}
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(r); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			path := filepath.Join("testdata", "golden", strings.ReplaceAll(name, " ", "_")+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRenderGolden -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// blocksWidth is the text of blocks as Slack counts it towards a message's
// limit: section texts and button labels.
func blocksWidth(blocks []slack.Block) int {
	n := 0
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			n += width(b.Text.Text)
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					n += width(btn.Text.Text)
				}
			}
		}
	}
	return n
}

// TestRenderCutLinksToTheRest: an answer cut after maxParts messages ends
// with the first link of the part left out, where the rest can be read.
func TestRenderCutLinksToTheRest(t *testing.T) {
	para := strings.Repeat("字", 2999) + "\n\n"
	text := strings.Repeat(para, 20) + "详见 [备案流程](https://help.aliyun.com/zh/icp-filing/)\n\n" + strings.Repeat(para, 5)
	parts := render(bot.Reply{Text: text})
	if len(parts) != maxParts {
		t.Fatalf("%d messages, want %d", len(parts), maxParts)
	}
	last := parts[len(parts)-1].Blocks
	sec := last[len(last)-1].(*slack.SectionBlock).Text.Text
	if want := "…\n\n→ <https://help.aliyun.com/zh/icp-filing/|备案流程>"; !strings.HasSuffix(sec, want) {
		t.Errorf("last section ends %q, want %q", sec[max(0, len(sec)-80):], want)
	}
	if w := width(sec); w > maxSectionText {
		t.Errorf("last section width %d, want ≤ %d", w, maxSectionText)
	}
}

// TestRenderLimits: a long answer is split into messages that each stay
// under Slack's limits (blocks, section text, total text), the suggestions
// go under the last, and what does not fit in maxParts messages is cut
// with a mark.
func TestRenderLimits(t *testing.T) {
	var buttons []bot.Button
	for range 30 {
		buttons = append(buttons, bot.Button{Label: strings.Repeat("问", 100), Value: "a|x|zh"})
	}
	tests := []struct {
		name       string
		paragraphs int
		parts      int
		cut        bool
	}{
		{"fits in one", 3, 1, false},
		{"split in two", 5, 2, false},
		{"cut after the last part", 60, maxParts, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Repeat(strings.Repeat("字", 2999)+"\n\n", tt.paragraphs)
			parts := render(bot.Reply{Text: text, Buttons: buttons})
			if len(parts) != tt.parts {
				t.Fatalf("%d messages, want %d", len(parts), tt.parts)
			}
			for i, r := range parts {
				if len(r.Blocks) > maxBlocks {
					t.Errorf("message %d: %d blocks, want ≤ %d", i, len(r.Blocks), maxBlocks)
				}
				if w := blocksWidth(r.Blocks); w > maxMessageText {
					t.Errorf("message %d: text width %d, want ≤ %d", i, w, maxMessageText)
				}
				if w := width(r.Text); w > maxFallback {
					t.Errorf("message %d: fallback text width %d, want ≤ %d", i, w, maxFallback)
				}
				_, hasButtons := r.Blocks[len(r.Blocks)-1].(*slack.ActionBlock)
				if hasButtons != (i == len(parts)-1) {
					t.Errorf("message %d of %d: buttons %v, want them on the last only", i+1, len(parts), hasButtons)
				}
			}
			last := parts[len(parts)-1].Blocks
			sec := last[len(last)-2].(*slack.SectionBlock)
			if cut := strings.HasSuffix(sec.Text.Text, "…"); cut != tt.cut {
				t.Errorf("last section ends with the cut mark: %v, want %v", cut, tt.cut)
			}
			raw, _ := json.Marshal(last[len(last)-1])
			var act struct {
				BlockID  string `json:"block_id"`
				Elements []struct {
					ActionID string `json:"action_id"`
					Text     struct{ Text string }
				} `json:"elements"`
			}
			if err := json.Unmarshal(raw, &act); err != nil {
				t.Fatal(err)
			}
			if act.BlockID != suggestBlockID || len(act.Elements) != maxButtons {
				t.Fatalf("last block %s with %d elements, want %s with %d", act.BlockID, len(act.Elements), suggestBlockID, maxButtons)
			}
			for _, e := range act.Elements {
				if n := utf8.RuneCountInString(e.Text.Text); n > maxButtonText {
					t.Errorf("button %s label %d characters, want ≤ %d", e.ActionID, n, maxButtonText)
				}
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		in, want  string
		mentioned bool
	}{
		{"<@UBOT> 备案要多久", "备案要多久", true},
		{"hey <@UBOT|beianbot>, help", "hey , help", true},
		{"<@U2> said &lt;b&gt; &amp; more", "said <b> & more", false},
		{"ask <@U2|alice> in <#C1|general>", "ask in", false},
		{"<!here> check <http://example.com|example.com>", "check example.com", false},
		{"<!channel><!everyone>备案", "备案", false},
		{"<!subteam^S1|@ops> <!date^1392734382^{date}|Feb 18>", "Feb 18", false},
		{"a<@U2>b", "a b", false},
		{"mail <mailto:a@b.example|a@b.example> or <https://x.example/a?b=1&amp;c=2>", "mail a@b.example or https://x.example/a?b=1&c=2", false},
		{"unclosed < bracket", "unclosed < bracket", false},
		{"typed entity stays as typed: &amp;lt;", "typed entity stays as typed: &lt;", false},
		{"  spaced\n\nlines  ", "spaced lines", false},
	}
	for _, tt := range tests {
		got, mentioned := plainText(tt.in, testBotUser)
		if got != tt.want || mentioned != tt.mentioned {
			t.Errorf("plainText(%q) = %q, %v; want %q, %v", tt.in, got, mentioned, tt.want, tt.mentioned)
		}
	}
}
