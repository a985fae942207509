package learn

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/beianbot/beianbot/faq"
)

// Review is what the bot could not answer since a time, grouped by need,
// and the feedback on its answers. Its JSON form is the contract's
// `review --json`.
type Review struct {
	Since    time.Time       `json:"since"`
	Handled  int             `json:"handled"`
	Answered int             `json:"answered"`
	Groups   []Group         `json:"groups"`
	Entries  []EntryFeedback `json:"entries"`
}

// Group is one need asked one or several ways.
type Group struct {
	Count int `json:"count"`
	// Questions are example wordings, most asked first.
	Questions []string `json:"questions"`
	Offered   []Offer  `json:"offered"`
}

// Offer is an entry suggested to a group: how often, and how often users
// picked it.
type Offer struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Offered  int    `json:"offered"`
	Picked   int    `json:"picked"`
}

// EntryFeedback is the 👍/👎 count of one answered entry.
type EntryFeedback struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Up       int    `json:"up"`
	Down     int    `json:"down"`
}

// Review limits.
const (
	// maxExamples bounds the example questions of a group.
	maxExamples = 5
	// maxReviewed bounds the questions grouped (the most recent are kept).
	maxReviewed = 20000
	// sameOffered and sameText are the bigram similarities above which two
	// questions are one need: lower when the bot offered them the same
	// entries first.
	sameOffered = 0.05
	sameText    = 0.5
	// sureOffer is the best score above which the bot's first offer is
	// taken as the need itself when two questions share it.
	sureOffer = 0.3
)

// BuildReview reads the questions and feedback since and groups them; ix
// names the entries (an entry gone from the FAQ keeps its id only).
func BuildReview(ctx context.Context, s Store, ix *faq.Index, since time.Time) (Review, error) {
	qs, err := s.Questions(ctx, since)
	if err != nil {
		return Review{}, err
	}
	fs, err := s.Feedback(ctx, since)
	if err != nil {
		return Review{}, err
	}
	return Summarise(qs, fs, ix, since), nil
}

// member is one unanswered question as grouping sees it.
type member struct {
	q       Question
	folded  string
	bigrams map[string]bool
}

type building struct {
	members []member
	top     string  // the first entry offered to the group's first question
	score   float64 // that question's best score
}

// Summarise groups questions and tallies feedback (see Review).
func Summarise(qs []Question, fs []Feedback, ix *faq.Index, since time.Time) Review {
	rv := Review{Since: since.UTC(), Groups: []Group{}, Entries: []EntryFeedback{}}
	rv.Handled = len(qs)
	var open []Question
	for _, q := range qs {
		if q.Outcome == OutcomeAnswered {
			rv.Answered++
		} else {
			open = append(open, q)
		}
	}
	if len(open) > maxReviewed {
		open = open[len(open)-maxReviewed:]
	}
	groups := cluster(open)
	picks := map[string]map[string]int{} // question id → entry → picks
	votes := map[string]*EntryFeedback{}
	for _, f := range fs {
		switch f.Kind {
		case KindPick:
			if picks[f.Question] == nil {
				picks[f.Question] = map[string]int{}
			}
			picks[f.Question][f.Entry]++
		case KindUp, KindDown:
			e := votes[f.Entry]
			if e == nil {
				e = &EntryFeedback{ID: f.Entry, Question: entryQuestion(ix, f.Entry)}
				votes[f.Entry] = e
			}
			if f.Kind == KindUp {
				e.Up++
			} else {
				e.Down++
			}
		}
	}
	for _, g := range groups {
		rv.Groups = append(rv.Groups, g.summary(ix, picks))
	}
	slices.SortStableFunc(rv.Groups, func(a, b Group) int { return cmp.Compare(b.Count, a.Count) })
	for _, e := range votes {
		rv.Entries = append(rv.Entries, *e)
	}
	slices.SortFunc(rv.Entries, func(a, b EntryFeedback) int {
		return cmp.Or(cmp.Compare(b.Down, a.Down), cmp.Compare(b.Up, a.Up), strings.Compare(a.ID, b.ID))
	})
	return rv
}

// cluster groups questions by need (see Review).
func cluster(open []Question) []*building {
	var groups []*building
	for _, q := range open {
		m := member{q: q, folded: fold(q.Text)}
		m.bigrams = bigrams(m.folded)
		top := ""
		if len(q.Offered) > 0 {
			top = q.Offered[0]
		}
		var best *building
		bestSim := 0.0
		for _, g := range groups {
			sim := g.similarity(m)
			need := sameText
			if top != "" && top == g.top {
				need = sameOffered
				if q.Score >= sureOffer && g.score >= sureOffer {
					// The matcher was fairly sure of the same entry for
					// both: one need, even in other words or languages.
					sim = max(sim, sameOffered)
				}
			}
			if sim >= need && sim > bestSim {
				best, bestSim = g, sim
			}
		}
		if best == nil {
			best = &building{top: top, score: q.Score}
			groups = append(groups, best)
		}
		best.members = append(best.members, m)
	}
	return groups
}

// similarity is the best bigram overlap of m with the group's examples.
func (g *building) similarity(m member) float64 {
	best := 0.0
	for i, o := range g.members {
		if i == maxExamples*2 {
			break
		}
		if o.folded == m.folded {
			return 1
		}
		best = max(best, jaccard(o.bigrams, m.bigrams))
	}
	return best
}

func (g *building) summary(ix *faq.Index, picks map[string]map[string]int) Group {
	out := Group{Count: len(g.members), Questions: []string{}, Offered: []Offer{}}
	seen := map[string]int{}
	var order []string
	text := map[string]string{}
	offered := map[string]*Offer{}
	var offerOrder []string
	for _, m := range g.members {
		if seen[m.folded] == 0 {
			order = append(order, m.folded)
			text[m.folded] = m.q.Text
		}
		seen[m.folded]++
		for _, id := range m.q.Offered {
			o := offered[id]
			if o == nil {
				o = &Offer{ID: id, Question: entryQuestion(ix, id)}
				offered[id] = o
				offerOrder = append(offerOrder, id)
			}
			o.Offered++
		}
		for id, n := range picks[m.q.ID] {
			o := offered[id]
			if o == nil {
				o = &Offer{ID: id, Question: entryQuestion(ix, id)}
				offered[id] = o
				offerOrder = append(offerOrder, id)
			}
			o.Picked += n
		}
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(seen[b], seen[a]) })
	for _, f := range order[:min(len(order), maxExamples)] {
		out.Questions = append(out.Questions, text[f])
	}
	for _, id := range offerOrder {
		out.Offered = append(out.Offered, *offered[id])
	}
	slices.SortStableFunc(out.Offered, func(a, b Offer) int {
		return cmp.Or(cmp.Compare(b.Picked, a.Picked), cmp.Compare(b.Offered, a.Offered))
	})
	return out
}

func entryQuestion(ix *faq.Index, id string) string {
	if ix == nil {
		return ""
	}
	if e := ix.Lookup(id, "zh"); e != nil {
		return e.Question
	}
	return ""
}

// fold lower-cases s and keeps its letters and digits, so that spacing,
// punctuation and full-width forms do not tell two wordings apart.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			r -= 0xFEE0
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// bigrams returns the character pairs of s (s itself when shorter).
func bigrams(s string) map[string]bool {
	rs := []rune(s)
	out := make(map[string]bool, len(rs))
	if len(rs) < 2 {
		if len(rs) == 1 {
			out[s] = true
		}
		return out
	}
	for i := 0; i+1 < len(rs); i++ {
		out[string(rs[i:i+2])] = true
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	both := 0
	for k := range a {
		if b[k] {
			both++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}

// Markdown renders the review as a chat digest, in the reply Markdown
// subset: totals, the top unanswered groups, the most disliked entries.
func (rv Review) Markdown(top int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**备案问答回顾 / Review since %s**\n\n", rv.Since.Format("2006-01-02 15:04 MST"))
	share := 0
	if rv.Handled > 0 {
		share = rv.Answered * 100 / rv.Handled
	}
	fmt.Fprintf(&b, "处理 %d 个问题，回答 %d 个（%d%%）。 / %d questions handled, %d answered (%d%%).\n\n",
		rv.Handled, rv.Answered, share, rv.Handled, rv.Answered, share)
	if len(rv.Groups) == 0 {
		b.WriteString("没有未回答的问题。 / Nothing went unanswered.\n")
	} else {
		b.WriteString("**未能回答 / Not answered**\n\n")
		for _, g := range rv.Groups[:min(top, len(rv.Groups))] {
			fmt.Fprintf(&b, "- %d× %s", g.Count, oneLine(g.Questions[0]))
			if len(g.Offered) > 0 {
				o := g.Offered[0]
				name := o.Question
				if name == "" {
					name = o.ID
				}
				fmt.Fprintf(&b, " — 建议 / offered: %s (%d, picked %d)", oneLine(name), o.Offered, o.Picked)
			}
			b.WriteString("\n")
		}
	}
	var disliked []EntryFeedback
	for _, e := range rv.Entries {
		if e.Down > 0 {
			disliked = append(disliked, e)
		}
	}
	if len(disliked) > 0 {
		b.WriteString("\n**最多 👎 / Most disliked**\n\n")
		for _, e := range disliked[:min(top, len(disliked))] {
			name := e.Question
			if name == "" {
				name = e.ID
			}
			fmt.Fprintf(&b, "- %s: 👎 %d, 👍 %d (%s)\n", oneLine(name), e.Down, e.Up, e.ID)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// oneLine keeps a user's text from breaking the digest's layout or
// forming markup.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.NewReplacer("*", "", "[", "(", "]", ")", "`", "'").Replace(s)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}

// ParseDuration parses a retention or review window: "90d", "2w", or a Go
// duration ("36h"). It must be positive.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v <= 0 || v > 100000 {
				return 0, fmt.Errorf("%q: want a positive number of days or weeks, e.g. 90d", s)
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: want a duration such as 90d, 2w or 36h", s)
	}
	return d, nil
}
