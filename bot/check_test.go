package bot

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/domaincheck"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/store"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fakeChecker returns canned results by ASCII domain and counts calls.
type fakeChecker struct {
	mu      sync.Mutex
	calls   []string
	results map[string]*domaincheck.Result
	err     error
}

func (f *fakeChecker) Check(_ context.Context, input string) (*domaincheck.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, input)
	t, err := domaincheck.Parse(input)
	if err != nil {
		return nil, err
	}
	if f.err != nil {
		return nil, f.err
	}
	res, ok := f.results[t.ASCII]
	if !ok {
		return nil, errors.New("no canned result")
	}
	c := *res
	c.Input = input
	return &c, nil
}

func (f *fakeChecker) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func str(s string) *string { return &s }

func blockedResult() *domaincheck.Result {
	return &domaincheck.Result{
		Domain: "blocked.example.cn", ASCII: "blocked.example.cn", TLD: "cn", TLDApproved: true,
		Verdict: domaincheck.VerdictMainlandBlocked, NeedsFiling: true,
		Addresses: []domaincheck.Address{{IP: "114.114.114.114", Region: "CN", Mainland: true}},
		HTTP:      &domaincheck.Probe{Status: 403, Blocked: true, BlockedBy: domaincheck.BlockAlibaba, Evidence: "403 from Server: Beaver"},
		HTTPS:     &domaincheck.Probe{Status: 302, Blocked: true, BlockedBy: domaincheck.BlockTencent, Location: "https://dnspod.qcloud.com/static/webblock.html?d=blocked.example.cn`*[x](y)"},
		FAQ:       []string{domaincheck.FAQWhyBlocked, domaincheck.FAQApprovedToday},
		Message:   "blocked.example.cn 解析到中国大陆服务器，访问被备案拦截页面拦截。",
		MessageEN: "blocked.example.cn points at a mainland server and is intercepted.",
	}
}

func reachableResult() *domaincheck.Result {
	return &domaincheck.Result{
		Domain: "例子.中国", ASCII: "xn--fsqu00a.xn--fiqs8s", TLD: "中国", TLDApproved: true,
		Verdict: domaincheck.VerdictMainlandReachable, NeedsFiling: true,
		Addresses: []domaincheck.Address{{IP: "114.114.114.115", Region: "CN", Mainland: true}, {IP: "8.210.1.1", Region: "HK"}},
		CNAME:     []string{"cdn.example.net"},
		HTTP:      &domaincheck.Probe{Status: 200},
		HTTPS:     &domaincheck.Probe{Error: "timeout"},
		ICPNumber: str("京ICP备12345678号-1"), ICPKind: domaincheck.KindFiling,
		Numbers: []domaincheck.Number{
			{Number: "京ICP备12345678号-1", Kind: domaincheck.KindFiling},
			{Number: "京ICP证030173号", Kind: domaincheck.KindLicence},
			{Number: "京公网安备11010502030143号", Kind: domaincheck.KindPublicSecurity},
		},
		FAQ:       []string{},
		Message:   "例子.中国 解析到中国大陆服务器，网站可以访问。",
		MessageEN: "例子.中国 points at a mainland server and the site is served.",
	}
}

func newCheckResponder(t *testing.T, ix *faq.Index, c Checker, st store.Store, m *metrics.Metrics) *Responder {
	t.Helper()
	if ix == nil {
		ix = &faq.Index{}
	}
	return New(Config{Index: ix, Checker: c, Store: st, Metrics: m, CheckLimit: 3, CheckWindow: time.Minute})
}

func checkMsg(user, text string) Message {
	return Message{Platform: PlatformConsole, ChatID: "c", UserID: user, Text: text, Direct: true, Addressed: true}
}

func TestCheckNotConfigured(t *testing.T) {
	r := New(Config{Index: &faq.Index{}})
	got := r.Handle(context.Background(), checkMsg("u", "检查 example.com"))
	if got.Outcome != OutcomeRefused || !strings.Contains(got.Text, "尚未配置") || got.FollowUp != nil {
		t.Errorf("Handle = %+v, want a refusal saying the check is not configured", got)
	}
}

func TestCheckBadInput(t *testing.T) {
	fc := &fakeChecker{}
	r := newCheckResponder(t, nil, fc, nil, nil)
	for _, text := range []string{"/beian check a..b", "/check http://", "/beian check " + strings.Repeat("x", 100) + ".com", "/check exa\x00mple.com", "/beian check javascript:alert(1)"} {
		got := r.Handle(context.Background(), checkMsg("u", text))
		if got.Outcome != OutcomeRefused || got.FollowUp != nil || got.Text == "" {
			t.Errorf("Handle(%q) = %+v, want a refusal", text, got)
		}
	}
	got := r.Handle(context.Background(), checkMsg("u", "/check exa mple"))
	if got.FollowUp != nil {
		t.Errorf("Handle(%q) started a check", "/check exa mple")
	}
	if n := fc.count(); n != 0 {
		t.Errorf("checker called %d times for bad input", n)
	}
}

func TestCheckFlow(t *testing.T) {
	fc := &fakeChecker{results: map[string]*domaincheck.Result{"blocked.example.cn": blockedResult()}}
	m := metrics.New()
	r := newCheckResponder(t, nil, fc, store.NewMemory(), m)
	ctx := context.Background()

	ack := r.Handle(ctx, checkMsg("alice", "检查 https://blocked.example.cn/x"))
	if diff := cmp.Diff("正在检查 blocked.example.cn…", ack.Text); diff != "" || ack.Outcome != OutcomeCheck || ack.FollowUp == nil {
		t.Fatalf("acknowledgement %+v (-want +got text):\n%s", ack, diff)
	}
	if fc.count() != 0 {
		t.Fatal("the check ran before FollowUp was called")
	}
	got := ack.FollowUp(ctx)
	if got.Outcome != OutcomeCheck || !strings.Contains(got.Text, "访问被备案拦截页面拦截") {
		t.Errorf("FollowUp = %+v, want the formatted result", got)
	}
	if n := verdictCount(t, m, domaincheck.VerdictMainlandBlocked); n != 1 {
		t.Errorf("metrics counted %v mainland_blocked checks, want 1", n)
	}

	// Same domain in another form, by someone else: served from the cache.
	ack = r.check(ctx, checkMsg("bob", "检查 blocked.example.cn."), "blocked.example.cn.", "zh")
	if ack.FollowUp == nil {
		t.Fatalf("second check not started: %+v", ack)
	}
	again := ack.FollowUp(ctx)
	if fc.count() != 1 {
		t.Errorf("checker called %d times, want 1 (second from cache)", fc.count())
	}
	if again.Text != got.Text {
		t.Errorf("cached reply differs:\n%s\nvs\n%s", again.Text, got.Text)
	}

	// English acknowledgement.
	ack = r.check(ctx, checkMsg("carol", "/check blocked.example.cn"), "blocked.example.cn", "en")
	if ack.Text != "Checking blocked.example.cn…" || ack.Lang != "en" {
		t.Errorf("English acknowledgement = %q (lang %q)", ack.Text, ack.Lang)
	}
}

func verdictCount(t *testing.T, m *metrics.Metrics, verdict string) float64 {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "beianbot_check_verdicts_total" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "verdict" && l.GetValue() == verdict {
					return mt.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func TestCheckRateLimit(t *testing.T) {
	fc := &fakeChecker{results: map[string]*domaincheck.Result{"blocked.example.cn": blockedResult()}}
	r := newCheckResponder(t, nil, fc, store.NewMemory(), nil)
	ctx := context.Background()
	for i := range 3 {
		if got := r.Handle(ctx, checkMsg("alice", "检查 blocked.example.cn")); got.Outcome != OutcomeCheck {
			t.Fatalf("check %d refused: %+v", i+1, got)
		}
	}
	got := r.Handle(ctx, checkMsg("alice", "检查 blocked.example.cn"))
	if got.Outcome != OutcomeRefused || got.FollowUp != nil || !strings.Contains(got.Text, "最多 3 次") {
		t.Errorf("fourth check = %+v, want a refusal naming the limit", got)
	}
	got = r.check(ctx, checkMsg("alice", "/check blocked.example.cn"), "blocked.example.cn", "en")
	if got.Outcome != OutcomeRefused || !strings.Contains(got.Text, "at most 3 per minute") {
		t.Errorf("English refusal = %q", got.Text)
	}
	if got := r.Handle(ctx, checkMsg("bob", "/beian check blocked.example.cn")); got.Outcome != OutcomeCheck {
		t.Errorf("another user was refused: %+v", got)
	}
}

// brokenStore fails every operation.
type brokenStore struct{}

func (brokenStore) FirstSeen(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("down")
}
func (brokenStore) Get(context.Context, string) ([]byte, bool, error) {
	return nil, false, errors.New("down")
}
func (brokenStore) Set(context.Context, string, []byte, time.Duration) error {
	return errors.New("down")
}
func (brokenStore) Allow(context.Context, string, int, time.Duration) (bool, error) {
	return false, errors.New("down")
}

func TestCheckStoreDown(t *testing.T) {
	fc := &fakeChecker{results: map[string]*domaincheck.Result{"blocked.example.cn": blockedResult()}}
	r := newCheckResponder(t, nil, fc, brokenStore{}, nil)
	ack := r.Handle(context.Background(), checkMsg("u", "/beian check blocked.example.cn"))
	if ack.FollowUp == nil {
		t.Fatalf("check not started with the store down: %+v", ack)
	}
	if got := ack.FollowUp(context.Background()); got.Outcome != OutcomeCheck || fc.count() != 1 {
		t.Errorf("FollowUp = %+v after %d checks, want a result from one check", got, fc.count())
	}
}

func TestCheckFailure(t *testing.T) {
	fc := &fakeChecker{err: errors.New("boom")}
	r := newCheckResponder(t, nil, fc, nil, nil)
	ack := r.Handle(context.Background(), checkMsg("u", "/beian check example.com"))
	got := ack.FollowUp(context.Background())
	if got.Outcome != OutcomeRefused || strings.Contains(got.Text, "boom") {
		t.Errorf("FollowUp = %+v, want a friendly failure without the detail", got)
	}
}

// TestCheckReplyGolden renders results as the chat shows them.
func TestCheckReplyGolden(t *testing.T) {
	r := newCheckResponder(t, nil, &fakeChecker{}, nil, nil)
	for _, tt := range []struct {
		name string
		res  *domaincheck.Result
		lang string
	}{
		{"blocked_zh", blockedResult(), "zh"},
		{"blocked_en", blockedResult(), "en"},
		{"reachable_zh", reachableResult(), "zh"},
		{"reachable_en", reachableResult(), "en"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := r.checkReply(tt.res, tt.lang).Text
			path := filepath.Join("testdata", "check_"+tt.name+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("reply (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckRelatedFAQ names each FAQ entry of the result by its question.
func TestCheckRelatedFAQ(t *testing.T) {
	ix, err := faq.LoadEmbedded(faq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Lookup(domaincheck.FAQWhyBlocked, "zh") == nil {
		t.Skip("the embedded FAQ does not have the entries yet")
	}
	r := newCheckResponder(t, ix, &fakeChecker{}, nil, nil)
	for _, lang := range []string{"zh", "en"} {
		rep := r.checkReply(blockedResult(), lang)
		head := map[string]string{"zh": "相关问题：", "en": "Related FAQ:"}[lang]
		if !strings.Contains(rep.Text, head) {
			t.Errorf("%s reply lacks %q:\n%s", lang, head, rep.Text)
		}
		for _, id := range blockedResult().FAQ {
			e := ix.Lookup(id, lang)
			if e == nil {
				t.Errorf("no entry %s", id)
				continue
			}
			if !strings.Contains(rep.Text, "- "+e.Question) {
				t.Errorf("%s reply does not name %s (%q):\n%s", lang, id, e.Question, rep.Text)
			}
		}
		if len(rep.Buttons) != len(blockedResult().FAQ) {
			t.Errorf("%d buttons, want one per FAQ entry", len(rep.Buttons))
		}
	}
}
