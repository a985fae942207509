package bot

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/domaincheck"
	"github.com/beianbot/beianbot/internal/learn"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/store"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fakeChecker returns canned results by ASCII domain and counts calls.
// With gate set, each call waits for it to close.
type fakeChecker struct {
	mu      sync.Mutex
	calls   []string
	results map[string]*domaincheck.Result
	err     error
	gate    chan struct{}
}

func (f *fakeChecker) Check(ctx context.Context, t domaincheck.Target) (*domaincheck.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, t.Input)
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	res, ok := f.results[t.ASCII]
	if !ok {
		return nil, errors.New("no canned result")
	}
	c := *res
	c.Input = t.Input
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
		Verdict: domaincheck.VerdictMainlandBlocked, NeedsFiling: new(true),
		Addresses: []domaincheck.Address{{IP: "114.114.114.114", Region: "CN", Mainland: true}},
		HTTP:      &domaincheck.Probe{Status: 403, Blocked: true, BlockedBy: domaincheck.BlockAlibaba, Evidence: "403 from Server: Beaver"},
		HTTPS:     &domaincheck.Probe{Status: 302, Blocked: true, BlockedBy: domaincheck.BlockTencent, Evidence: "redirect to dnspod.qcloud.com/static/webblock.html", Location: "https://dnspod.qcloud.com/static/webblock.html?d=blocked.example.cn`*[x](y)"},
		Control:   &domaincheck.Probe{Status: 200},
		Reasons:   []string{domaincheck.ReasonInterception},
	}
}

func reachableResult() *domaincheck.Result {
	return &domaincheck.Result{
		Domain: "例子.中国", ASCII: "xn--fsqu00a.xn--fiqs8s", TLD: "中国", TLDApproved: true,
		Verdict: domaincheck.VerdictMixed, NeedsFiling: new(true),
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
	}
}

func privateResult() *domaincheck.Result {
	return &domaincheck.Result{
		Domain: "internal.example.com", ASCII: "internal.example.com", TLD: "com", TLDApproved: true,
		Verdict:   domaincheck.VerdictPrivateAddress,
		Addresses: []domaincheck.Address{{IP: "10.1.2.3", Region: "private"}, {IP: "169.254.169.254", Region: "private"}},
	}
}

func unreachableResult() *domaincheck.Result {
	return &domaincheck.Result{
		Domain: "down.example.cn", ASCII: "down.example.cn", TLD: "cn", TLDApproved: true,
		Verdict: domaincheck.VerdictMainlandUnreachable, NeedsFiling: new(true),
		Addresses: []domaincheck.Address{{IP: "114.114.114.116", Region: "CN", Mainland: true}, {IP: "10.0.0.1", Region: "private"}},
		HTTP:      &domaincheck.Probe{Error: "connection refused"},
		HTTPS:     &domaincheck.Probe{Error: "connection refused"},
		Control:   &domaincheck.Probe{Error: "connection refused"},
		Reasons:   []string{domaincheck.ReasonBareIPSilent, domaincheck.ReasonPrivateAddresses},
	}
}

func dnsErrorResult(cause string) *domaincheck.Result {
	return &domaincheck.Result{
		Domain: "example.io", ASCII: "example.io", TLD: "io",
		Verdict: domaincheck.VerdictDNSError, DNSCause: cause, DNSError: "dns A example.io.: read udp: network is unreachable",
		Reasons: []string{domaincheck.ReasonTLDNotApproved},
	}
}

// manyResult is a name with thousands of addresses, as domaincheck keeps
// it: MaxAddresses of each family and a count of the rest.
func manyResult() *domaincheck.Result {
	res := &domaincheck.Result{
		Domain: "many.example.com", ASCII: "many.example.com", TLD: "com", TLDApproved: true,
		Verdict: domaincheck.VerdictOutsideMainland, NeedsFiling: new(false),
		More: &domaincheck.More{IPv4: 3984, IPv6: 2284},
	}
	for i := range domaincheck.MaxAddresses {
		res.Addresses = append(res.Addresses, domaincheck.Address{IP: fmt.Sprintf("8.210.1.%d", i+1), Region: "HK"})
	}
	for i := range domaincheck.MaxAddresses {
		res.Addresses = append(res.Addresses, domaincheck.Address{IP: fmt.Sprintf("2001:db8::%x", i+1), Region: "US"})
	}
	return res
}

func newCheckResponder(t *testing.T, ix FAQ, c Checker, st store.Store, m *metrics.Metrics) *Responder {
	t.Helper()
	if ix == nil {
		ix = testFAQ()
	}
	return New(Config{Index: ix, Checker: c, Store: st, Metrics: m, CheckLimit: 3, CheckWindow: time.Minute})
}

func checkMsg(user, text string) Message {
	return Message{Platform: PlatformTelegram, ChatID: "c", UserID: user, Text: text, Direct: true, Addressed: true}
}

func TestCheckNotConfigured(t *testing.T) {
	r := New(Config{Index: testFAQ()})
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
	if got.Outcome != OutcomeCheck || !strings.Contains(got.Text, "访问被阿里云的备案拦截页面拦截") {
		t.Errorf("FollowUp = %+v, want the formatted result", got)
	}
	if n := verdictCount(t, m, domaincheck.VerdictMainlandBlocked); n != 1 {
		t.Errorf("metrics counted %v mainland_blocked checks, want 1", n)
	}

	// Same domain in another form, by someone else: served from the cache.
	ack = r.Handle(ctx, checkMsg("bob", "检查 blocked.example.cn."))
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
	ack = r.Handle(ctx, checkMsg("carol", "/check blocked.example.cn"))
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
	got = r.Handle(ctx, checkMsg("alice", "/check blocked.example.cn"))
	if got.Outcome != OutcomeRefused || !strings.Contains(got.Text, "at most 3 per minute") {
		t.Errorf("English refusal = %q", got.Text)
	}
	if got := r.Handle(ctx, checkMsg("bob", "/beian check blocked.example.cn")); got.Outcome != OutcomeCheck {
		t.Errorf("another user was refused: %+v", got)
	}
}

// keyStore records the keys per-user limits are asked under.
type keyStore struct {
	store.Store
	mu   sync.Mutex
	keys []string
}

func (k *keyStore) Allow(ctx context.Context, key string, n int, per time.Duration) (bool, error) {
	k.mu.Lock()
	k.keys = append(k.keys, key)
	k.mu.Unlock()
	return k.Store.Allow(ctx, key, n, per)
}

// TestCheckLimitKeyedByHash: the shared store never holds a user's id, only
// its keyed hash; replicas given the same UserKey share one user's limit,
// and responders left to their own keys hash alike within themselves.
func TestCheckLimitKeyedByHash(t *testing.T) {
	fc := &fakeChecker{results: map[string]*domaincheck.Result{"blocked.example.cn": blockedResult()}}
	ks := &keyStore{Store: store.NewMemory()}
	keyer := learn.NewKeyer([]byte("a secret of sixteen or more"))
	cfg := Config{Index: testFAQ(), Checker: fc, Store: ks, CheckLimit: 2, CheckWindow: time.Minute, UserKey: keyer.Key}
	a, b := New(cfg), New(cfg)
	ctx := context.Background()
	msg := checkMsg("U0ALICE42", "/beian check blocked.example.cn")
	if got := a.Handle(ctx, msg); got.Outcome != OutcomeCheck {
		t.Fatalf("first check refused: %+v", got)
	}
	if got := b.Handle(ctx, msg); got.Outcome != OutcomeCheck {
		t.Fatalf("second check (other replica) refused: %+v", got)
	}
	if got := a.Handle(ctx, msg); got.Outcome != OutcomeRefused {
		t.Errorf("third check across replicas = %+v, want the shared limit", got)
	}
	own := New(Config{Index: testFAQ(), Checker: fc, Store: ks, CheckLimit: 1, CheckWindow: time.Minute})
	own.Handle(ctx, msg)
	if got := own.Handle(ctx, msg); got.Outcome != OutcomeRefused {
		t.Errorf("second check with the default key = %+v, want the limit", got)
	}
	if len(ks.keys) != 5 {
		t.Fatalf("limit asked %d times, want 5", len(ks.keys))
	}
	for _, k := range ks.keys {
		if strings.Contains(strings.ToLower(k), "alice") {
			t.Errorf("limit key %q holds the user id", k)
		}
	}
	if ks.keys[0] != ks.keys[2] || ks.keys[3] == ks.keys[0] {
		t.Errorf("keys %q: want one key per user and secret", ks.keys)
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

// TestCheckReplyGolden renders results as the chat shows them, and as
// `beianbot check` does (private addresses listed).
func TestCheckReplyGolden(t *testing.T) {
	r := newCheckResponder(t, nil, &fakeChecker{}, nil, nil)
	for _, tt := range []struct {
		name string
		res  *domaincheck.Result
		lang string
		opts ReportOptions
	}{
		{"blocked_zh", blockedResult(), "zh", ReportOptions{}},
		{"blocked_en", blockedResult(), "en", ReportOptions{}},
		{"reachable_zh", reachableResult(), "zh", ReportOptions{}},
		{"reachable_en", reachableResult(), "en", ReportOptions{}},
		{"private_zh", privateResult(), "zh", ReportOptions{}},
		{"private_en", privateResult(), "en", ReportOptions{}},
		{"private_cli_en", privateResult(), "en", ReportOptions{ListPrivate: true}},
		{"private_ip_en", &domaincheck.Result{Domain: "10.0.0.1", ASCII: "10.0.0.1", Verdict: domaincheck.VerdictPrivateAddress,
			Addresses: []domaincheck.Address{{IP: "10.0.0.1", Region: "private"}}}, "en", ReportOptions{}},
		{"unreachable_zh", unreachableResult(), "zh", ReportOptions{}},
		{"unreachable_en", unreachableResult(), "en", ReportOptions{}},
		{"dns_unreachable_zh", dnsErrorResult(domaincheck.CauseNetworkUnreachable), "zh", ReportOptions{}},
		{"dns_unreachable_en", dnsErrorResult(domaincheck.CauseNetworkUnreachable), "en", ReportOptions{}},
		{"dns_loop_en", dnsErrorResult(domaincheck.CauseCNAMELoop), "en", ReportOptions{}},
		{"many_en", manyResult(), "en", ReportOptions{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "check_"+tt.name+".golden", r.Report(tt.res, tt.lang, tt.opts).Text)
		})
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// TestReportNoInternalAddresses: a chat reply never names a private
// address; the operator's report does.
func TestReportNoInternalAddresses(t *testing.T) {
	r := newCheckResponder(t, nil, &fakeChecker{}, nil, nil)
	for _, res := range []*domaincheck.Result{privateResult(), unreachableResult()} {
		for _, lang := range []string{"zh", "en"} {
			chat := r.Report(res, lang, ReportOptions{}).Text
			cli := r.Report(res, lang, ReportOptions{ListPrivate: true}).Text
			for _, a := range res.Addresses {
				if !a.Private() {
					continue
				}
				if strings.Contains(chat, a.IP) {
					t.Errorf("%s %s chat reply names %s:\n%s", res.Domain, lang, a.IP, chat)
				}
				if !strings.Contains(cli, a.IP) {
					t.Errorf("%s %s operator report lacks %s:\n%s", res.Domain, lang, a.IP, cli)
				}
			}
		}
	}
}

// TestReportOnce: each address appears once in a report.
func TestReportOnce(t *testing.T) {
	r := newCheckResponder(t, nil, &fakeChecker{}, nil, nil)
	for _, res := range []*domaincheck.Result{blockedResult(), reachableResult(), manyResult()} {
		for _, lang := range []string{"zh", "en"} {
			text := r.Report(res, lang, ReportOptions{ListPrivate: true}).Text
			for _, a := range res.Addresses {
				if n := strings.Count(text, "`"+a.IP+"`"); n != 1 {
					t.Errorf("%s %s: %s appears %d times:\n%s", res.Domain, lang, a.IP, n, text)
				}
			}
		}
	}
}

// TestReportBounded: however much a result holds and however many long
// related questions the FAQ has, the reply stays within maxReportText.
func TestReportBounded(t *testing.T) {
	f := &fakeFAQ{}
	for i := range 20 {
		f.entries = append(f.entries, &faq.Entry{ID: fmt.Sprint("e", i), Lang: "en", Question: strings.Repeat("why? ", 60),
			Verdicts: []string{domaincheck.VerdictOutsideMainland}})
	}
	r := newCheckResponder(t, f, &fakeChecker{}, nil, nil)
	res := manyResult()
	for i := range 8 {
		res.CNAME = append(res.CNAME, strings.Repeat(fmt.Sprintf("c%d", i), 120)+".example.com")
	}
	for i := range 20 {
		res.Numbers = append(res.Numbers, domaincheck.Number{Number: fmt.Sprintf("京ICP备%08d号-%d", i, i), Kind: domaincheck.KindFiling})
	}
	for _, lang := range []string{"zh", "en"} {
		text := r.Report(res, lang, ReportOptions{ListPrivate: true}).Text
		if len(text) > maxReportText || !strings.HasSuffix(text, "\n…") {
			t.Errorf("%s report is %d bytes ending %q, want at most %d ending with the cut mark", lang, len(text), text[len(text)-10:], maxReportText)
		}
	}
}

// TestRelated maps verdicts to FAQ entries: declared ones first, the
// matcher's confident answers otherwise, nothing from an FAQ that answers
// none.
func TestRelated(t *testing.T) {
	ix, err := faq.LoadEmbedded(faq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	declared := testFAQ()
	declared.entries[2].Verdicts = []string{domaincheck.VerdictMainlandBlocked} // forum, zh
	declared.entries[3].Verdicts = []string{domaincheck.VerdictMainlandBlocked, domaincheck.VerdictIPAddress}
	for _, tt := range []struct {
		name string
		ix   FAQ
		want related
	}{
		{"embedded FAQ, as it declares", ix, related{
			domaincheck.VerdictIPAddress:           {"section_bym_mzr_zdb"},
			domaincheck.VerdictNotResolving:        {"section_iym_mzr_zdb"},
			domaincheck.VerdictOutsideMainland:     {"section_cym_mzr_zdb"},
			domaincheck.VerdictMainlandBlocked:     {"section_fym_mzr_zdb", "section_hym_mzr_zdb", "section_iym_mzr_zdb"},
			domaincheck.VerdictMainlandUnreachable: {"section_iym_mzr_zdb"},
			domaincheck.VerdictMixed:               {"section_cym_mzr_zdb", "section_iym_mzr_zdb"},
		}},
		{"declared", declared, related{
			domaincheck.VerdictMainlandBlocked: {"forum", "price"},
			domaincheck.VerdictIPAddress:       {"price"},
		}},
		{"an FAQ that answers none", testFAQ(), related{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, relatedEntries(tt.ix, 0.5)); diff != "" {
				t.Errorf("related (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckRelatedFAQ names each related entry by its question, with a
// button, in the reply's language.
func TestCheckRelatedFAQ(t *testing.T) {
	ix, err := faq.LoadEmbedded(faq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := newCheckResponder(t, ix, &fakeChecker{}, nil, nil)
	for _, lang := range []string{"zh", "en"} {
		rep := r.checkReply(blockedResult(), lang)
		head := map[string]string{"zh": "相关问题：", "en": "Related FAQ:"}[lang]
		var want, got []string
		for _, id := range []string{"section_fym_mzr_zdb", "section_hym_mzr_zdb", "section_iym_mzr_zdb"} {
			want = append(want, ix.Lookup(id, lang).Question)
		}
		for _, b := range rep.Buttons {
			got = append(got, b.Label)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s buttons (-want +got):\n%s", lang, diff)
		}
		if !strings.Contains(rep.Text, head+"\n\n- "+strings.Join(want, "\n- ")) {
			t.Errorf("%s reply does not list the related questions:\n%s", lang, rep.Text)
		}
	}
	// With an FAQ that answers none of the verdicts, no related questions.
	r = newCheckResponder(t, testFAQ(), &fakeChecker{}, nil, nil)
	if rep := r.checkReply(blockedResult(), "zh"); len(rep.Buttons) != 0 || strings.Contains(rep.Text, "相关问题") {
		t.Errorf("reply with an unrelated FAQ has related questions: %+v", rep)
	}
}

// TestCheckShared: concurrent checks of one domain run the check once.
func TestCheckShared(t *testing.T) {
	fc := &fakeChecker{results: map[string]*domaincheck.Result{"blocked.example.cn": blockedResult()}, gate: make(chan struct{})}
	r := New(Config{Index: testFAQ(), Checker: fc, CheckLimit: 100})
	ctx := context.Background()
	const n = 8
	replies := make([]Reply, n)
	var wg sync.WaitGroup
	for i := range n {
		ack := r.Handle(ctx, checkMsg(fmt.Sprint("user", i), "检查 blocked.example.cn"))
		wg.Go(func() { replies[i] = ack.FollowUp(ctx) })
	}
	for r.flights.waiting("check:blocked.example.cn") != n-1 {
		runtime.Gosched()
	}
	close(fc.gate)
	wg.Wait()
	if got := fc.count(); got != 1 {
		t.Errorf("checker ran %d times, want 1", got)
	}
	for i, rep := range replies {
		if diff := cmp.Diff(replies[0].Text, rep.Text); diff != "" || rep.Outcome != OutcomeCheck {
			t.Errorf("reply %d (%s) (-first +this):\n%s", i, rep.Outcome, diff)
		}
	}
}

// TestCheckCachedBounded: what the cache holds is the bounded result.
func TestCheckCachedBounded(t *testing.T) {
	st := store.NewMemory()
	fc := &fakeChecker{results: map[string]*domaincheck.Result{"many.example.com": manyResult()}}
	r := newCheckResponder(t, nil, fc, st, nil)
	ack := r.Handle(context.Background(), checkMsg("u", "check many.example.com"))
	rep := ack.FollowUp(context.Background())
	if !strings.Contains(rep.Text, "… and 6268 more") && !strings.Contains(rep.Text, "另有 6268 个地址") {
		t.Errorf("reply does not count the addresses left out:\n%s", rep.Text)
	}
	b, found, err := st.Get(context.Background(), "check:many.example.com")
	if err != nil || !found {
		t.Fatalf("cache Get = %v, %v", found, err)
	}
	if len(b) > 8<<10 {
		t.Errorf("cached result is %d bytes, want at most 8 KiB", len(b))
	}
}

// TestConsoleChecksUnlimited: the terminal chat's only user is not rate
// limited.
func TestConsoleChecksUnlimited(t *testing.T) {
	fc := &fakeChecker{results: map[string]*domaincheck.Result{"blocked.example.cn": blockedResult()}}
	r := newCheckResponder(t, nil, fc, store.NewMemory(), nil) // 3 per minute
	msg := checkMsg("console", "check blocked.example.cn")
	msg.Platform = PlatformConsole
	for i := range 10 {
		if got := r.Handle(context.Background(), msg); got.Outcome != OutcomeCheck {
			t.Fatalf("console check %d = %s %q, want it started", i+1, got.Outcome, got.Text)
		}
	}
}

// TestCheckLanguageOfDeliveredCommand: a command delivered as one (a slash
// command) is answered in the language of its words, the command's
// included.
func TestCheckLanguageOfDeliveredCommand(t *testing.T) {
	fc := &fakeChecker{results: map[string]*domaincheck.Result{"blocked.example.cn": blockedResult()}}
	r := newCheckResponder(t, nil, fc, nil, nil)
	for _, tt := range []struct{ command, args, want string }{
		{"check", "blocked.example.cn", "Checking blocked.example.cn…"},
		{"beian", "check blocked.example.cn", "Checking blocked.example.cn…"},
		{"beian", "检查 blocked.example.cn", "正在检查 blocked.example.cn…"},
		{"check", "", "Tell me which domain to check, e.g. `/beian check example.com`"},
		{"beian", "检查", "请告诉我要检查的域名，例如：`/beian check example.com`"},
	} {
		msg := Message{Platform: PlatformSlack, ChatID: "c", UserID: "u", Command: tt.command, Args: tt.args, Text: tt.args, Addressed: true}
		if got := r.Handle(context.Background(), msg); got.Text != tt.want {
			t.Errorf("/%s %s = %q, want %q", tt.command, tt.args, got.Text, tt.want)
		}
	}
}

// TestReportSparseResult: every verdict is worded even from a result with
// nothing but the verdict (a cached result of another version, say).
func TestReportSparseResult(t *testing.T) {
	r := newCheckResponder(t, nil, &fakeChecker{}, nil, nil)
	for _, v := range domaincheck.Verdicts() {
		for _, lang := range []string{"zh", "en"} {
			rep := r.Report(&domaincheck.Result{Domain: "x.example.com", ASCII: "x.example.com", Verdict: v}, lang, ReportOptions{})
			if rep.Message == "" || !strings.HasPrefix(rep.Text, "**x.example.com") {
				t.Errorf("%s %s: message %q, text %q", v, lang, rep.Message, rep.Text)
			}
		}
	}
}

// TestCheckSharedCutShort: when the caller running a shared check gives up,
// a caller waiting on it with time left runs the check itself.
func TestCheckSharedCutShort(t *testing.T) {
	fc := &fakeChecker{results: map[string]*domaincheck.Result{"blocked.example.cn": blockedResult()}, gate: make(chan struct{})}
	r := New(Config{Index: testFAQ(), Checker: fc, CheckLimit: 100})
	short, cancel := context.WithCancel(context.Background())
	first := r.Handle(short, checkMsg("a", "检查 blocked.example.cn"))
	second := r.Handle(context.Background(), checkMsg("b", "检查 blocked.example.cn"))
	var wg sync.WaitGroup
	var got1, got2 Reply
	wg.Go(func() { got1 = first.FollowUp(short) })
	for fc.count() != 1 {
		runtime.Gosched()
	}
	wg.Go(func() { got2 = second.FollowUp(context.Background()) })
	for r.flights.waiting("check:blocked.example.cn") != 1 {
		runtime.Gosched()
	}
	cancel()
	for fc.count() != 2 { // the second caller's own run
		runtime.Gosched()
	}
	close(fc.gate)
	wg.Wait()
	if got1.Outcome != OutcomeRefused {
		t.Errorf("first caller, cut short: %s %q, want the could-not-complete refusal", got1.Outcome, got1.Text)
	}
	if got2.Outcome != OutcomeCheck || !strings.Contains(got2.Text, "blocked.example.cn") {
		t.Errorf("second caller: %s %q, want the result", got2.Outcome, got2.Text)
	}
}
