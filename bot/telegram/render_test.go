package telegram

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// TestRenderGolden renders each testdata/render/*.md and compares the HTML
// and plain text with the .html and .txt golden files.
func TestRenderGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/render/*.md")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".md")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			chunks := renderChunks(string(src), maxMessageLen)
			if len(chunks) != 1 {
				t.Fatalf("%d chunks, want 1", len(chunks))
			}
			for ext, got := range map[string]string{".html": chunks[0].html, ".txt": chunks[0].plain} {
				path := strings.TrimSuffix(in, ".md") + ext
				if *update {
					if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if diff := cmp.Diff(strings.TrimSuffix(string(want), "\n"), got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", path, diff)
				}
			}
			if err := checkHTML(chunks[0].html); err != "" {
				t.Errorf("rendered HTML: %s", err)
			}
		})
	}
}

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		in, html, plain string
	}{
		{"a & b < c > d", "a &amp; b &lt; c &gt; d", "a & b < c > d"},
		{"**b** `c` [l](https://x.io)", `<b>b</b> <code>c</code> <a href="https://x.io">l</a>`, "b c l (https://x.io)"},
		{"[https://x.io](https://x.io)", `<a href="https://x.io">https://x.io</a>`, "https://x.io"},
		{"**[a](https://x.io) b**", `<b><a href="https://x.io">a</a> b</b>`, "a (https://x.io) b"},
		{"**a `c` b**", "<b>a </b><code>c</code><b> b</b>", "a c b"},
		{"[x](javascript:alert(1))", "x", "x"},
		{"[x](https://a.io/\"><b>)", `<a href="https://a.io/&quot;&gt;&lt;b&gt;">x</a>`, `x (https://a.io/"><b>)`},
		{"- a\n- b\n\n\n\nc", "• a\n• b\n\nc", "• a\n• b\n\nc"},
		{"line one\r\nline two", "line one\nline two", "line one\nline two"},
		{"****", "****", "****"},
		{"``", "``", "``"},
		{"[](https://x.io)", "[](https://x.io)", "[](https://x.io)"},
		{"bad \xff byte", "bad \uFFFD byte", "bad \uFFFD byte"},
	} {
		chunks := renderChunks(tc.in, maxMessageLen)
		if len(chunks) != 1 {
			t.Errorf("renderChunks(%q): %d chunks, want 1", tc.in, len(chunks))
			continue
		}
		if diff := cmp.Diff(chunk{html: tc.html, plain: tc.plain}, chunks[0], cmp.AllowUnexported(chunk{})); diff != "" {
			t.Errorf("renderChunks(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
	if got := renderChunks(" \n\n \n", maxMessageLen); len(got) != 0 {
		t.Errorf("blank text rendered as %v, want nothing", got)
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		limit int
		want  []string // HTML of each message
	}{
		{"paragraphs packed", "aaa\n\nbbb\n\nccc", 8, []string{"aaa\n\nbbb", "ccc"}},
		{"lines of a long paragraph", "- aaaa\n- bbbb\n- cccc", 14, []string{"• aaaa\n• bbbb", "• cccc"}},
		{"inside bold, tags closed and reopened", "**abcdefgh**", 5, []string{"<b>abcde</b>", "<b>fgh</b>"}},
		{"at a space", "**hello big world**", 12, []string{"<b>hello big </b>", "<b>world</b>"}},
		{"never inside an escape", "&&&&&&", 4, []string{"&amp;&amp;&amp;&amp;", "&amp;&amp;"}},
		{"link counted with its url", "[ab](https://x.io) [cd](https://y.io)", 30, []string{
			`<a href="https://x.io">ab</a> `, `<a href="https://y.io">cd</a>`}},
		{"surrogate pairs stay whole", "😀😀😀", 4, []string{"😀😀", "😀"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range renderChunks(tc.in, tc.limit) {
				got = append(got, c.html)
				if n := utf16Len(c.plain); n > tc.limit {
					t.Errorf("plain part %q is %d long, limit %d", c.plain, n, tc.limit)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parts (-want +got):\n%s", diff)
			}
		})
	}
}

var tagRE = regexp.MustCompile(`^<(/?)(b|code|a)( href="[^"<>]*")?>`)

// checkHTML checks what Telegram requires of HTML: only known tags,
// properly nested and closed, and no bare < > or & outside escapes.
func checkHTML(s string) string {
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			m := tagRE.FindStringSubmatch(s[i:])
			if m == nil {
				return "bare < at " + s[i:]
			}
			if m[1] == "/" {
				if len(stack) == 0 || stack[len(stack)-1] != m[2] {
					return "unbalanced </" + m[2] + "> in " + s
				}
				stack = stack[:len(stack)-1]
			} else {
				if len(stack) > 0 && stack[len(stack)-1] == "code" || m[2] == "code" && len(stack) > 0 {
					return "code nested with another tag in " + s
				}
				stack = append(stack, m[2])
			}
			i += len(m[0])
		case '>':
			return "bare > in " + s
		case '&':
			if !strings.HasPrefix(s[i:], "&amp;") && !strings.HasPrefix(s[i:], "&lt;") &&
				!strings.HasPrefix(s[i:], "&gt;") && !strings.HasPrefix(s[i:], "&quot;") {
				return "bare & in " + s
			}
			i++
		default:
			i++
		}
	}
	if len(stack) > 0 {
		return "unclosed " + strings.Join(stack, ",") + " in " + s
	}
	return ""
}

// FuzzRender checks that any reply text renders to well-formed HTML in
// parts within the limit, losing no text.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"**b** `c` [l](https://x.io)", "- a\n\nb", "&<>", "**[a](https://x.io) `c`**", "😀 **x"} {
		f.Add(s, 4096)
		f.Add(s, 7)
	}
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 8 || limit > maxMessageLen {
			limit = 8 + (limit&0xfff)%maxMessageLen
			if limit > maxMessageLen {
				limit = maxMessageLen
			}
		}
		chunks := renderChunks(text, limit)
		for _, c := range chunks {
			if err := checkHTML(c.html); err != "" {
				t.Fatalf("limit %d: %s", limit, err)
			}
			if n := utf16Len(c.plain); n > limit {
				t.Fatalf("plain part of %d > limit %d: %q", n, limit, c.plain)
			}
		}
		// Splitting loses nothing: the parts show the text of the whole, in
		// order (a link cut apart or too long for a part shows its url as text).
		var got, want strings.Builder
		for _, c := range chunks {
			got.WriteString(visible(c.html))
		}
		for _, c := range renderChunks(text, 1<<30) {
			want.WriteString(visible(c.html))
		}
		if !subsequence(strip(want.String()), strip(got.String())) {
			t.Fatalf("limit %d: parts %q differ from the whole %q", limit, got.String(), want.String())
		}
	})
}

func strip(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// visible is the text Telegram shows for HTML s.
func visible(s string) string {
	s = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, "")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&amp;", "&").Replace(s)
}

// subsequence reports whether the runes of a appear in b in order.
func subsequence(a, b string) bool {
	rb := []rune(b)
	j := 0
	for _, r := range a {
		for j < len(rb) && rb[j] != r {
			j++
		}
		if j == len(rb) {
			return false
		}
		j++
	}
	return true
}
