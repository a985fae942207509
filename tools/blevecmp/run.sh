#!/usr/bin/env bash
# run.sh times whole-process "beianbot ask --json" against blevecmp (bleve
# with its CJK analyzer, in memory) over the same 15,200 queries, on the seed
# FAQ and, when present, on ../shared/corpus (beside the repository); then prints bleve's accuracy
# next to faq's, on each FAQ's own labelled queries.
#
# Usage: tools/blevecmp/run.sh            (from anywhere in the repository)
# Environment: RUNS (timed runs per command, default 10), QUERIES (default
# 15200), CORPUS (default ../shared/corpus beside the repository), EVAL_DIR
# (more labelled files, default ../shared/eval beside the repository: dev.jsonl
# and seed-dev-2.jsonl for the seed FAQ, corpus-dev.jsonl for the corpus),
# ENGINES (bleve in-memory index types, default "scorch upsidedown"; the ratio
# is taken against the fastest).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${RUNS:-10}
queries=${QUERIES:-15200}
corpus=${CORPUS:-$root/../shared/corpus}
evaldir=${EVAL_DIR:-$root/../shared/eval}
# The programs run in another folder (below): paths given relative to here.
[[ $corpus == /* ]] || corpus=$PWD/$corpus
[[ $evaldir == /* ]] || evaldir=$PWD/$evaldir
read -r -a engines <<<"${ENGINES:-scorch upsidedown}"
# Both programs must see the same FAQ: no settings from the caller's
# environment, and no learning database with taught phrasings (beianbot ask
# reads one from the working directory when it exists; the programs run in an
# empty folder).
unset BEIANBOT_FAQ BEIANBOT_LEXICON BEIANBOT_DOCS_BASE_URL BEIANBOT_DATABASE_URL

for tool in go jq awk; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== build"
(cd "$root" && go build -o "$work/beianbot" ./cmd/beianbot)
(cd "$here" && go build -o "$work/blevecmp" .)
cd "$work"

# The labelled queries of each FAQ: ids of the seed FAQ, or of the corpus.
seed_labels=("$root"/faq/testdata/heldout_*.jsonl "$root"/faq/testdata/paraphrases.jsonl)
corpus_labels=("$root"/faq/testdata/corpus_*.jsonl)
for f in dev seed-dev-2; do [[ -f $evaldir/$f.jsonl ]] && seed_labels+=("$evaldir/$f.jsonl"); done
[[ -f $evaldir/corpus-dev.jsonl ]] && corpus_labels+=("$evaldir/corpus-dev.jsonl")
labels=("${seed_labels[@]}" "${corpus_labels[@]}")
jq -r .query "${labels[@]}" >"$work/base.txt"
awk -v n="$queries" '{ q[c++] = $0 } END { for (i = 0; i < n; i++) print q[i % c] }' \
	"$work/base.txt" >"$work/queries.txt"
echo "$(wc -l <"$work/base.txt") labelled queries from ${labels[*]##*/}," \
	"cycled to $(wc -l <"$work/queries.txt") lines"

faqs=(seed)
if [[ -d $corpus ]]; then
	faqs+=(corpus)
else
	echo "($corpus absent: timing the seed FAQ only)"
fi

# faqflag prints the --faq flag for a FAQ name, quoted for eval.
faqflag() { if [[ $1 == corpus ]]; then printf -- '--faq %q' "$corpus"; fi; }

# calc prints the value of an arithmetic expression.
calc() { awk "BEGIN { print $1 }"; }

# commands prints "name<TAB>command line" for each program on FAQ $1.
commands() {
	printf '%s\t%s\n' "beianbot ask --json" "$work/beianbot ask --json $(faqflag "$1")"
	for e in "${engines[@]}"; do
		printf '%s\t%s\n' "blevecmp --engine $e" "$work/blevecmp --engine $e $(faqflag "$1")"
	done
}

# timeit CMD INPUT prints the median wall seconds of "CMD <INPUT >/dev/null"
# and, with hyperfine, the mean CPU seconds (user + system; "nan" without):
# on a shared machine the CPU time is the steadier figure.
timeit() {
	local cmd="$1 <$2 >/dev/null"
	if command -v hyperfine >/dev/null; then
		hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/h.json" "$cmd" >/dev/null
		jq -r '.results[0] | "\(.median) \(.user + .system)"' "$work/h.json"
	else
		local i s e
		for ((i = 0; i < runs; i++)); do
			s=$(date +%s.%N)
			eval "$cmd"
			e=$(date +%s.%N)
			calc "$e - $s"
		done | sort -g | awk '{ t[NR] = $1 } END { print ((NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2), "nan" }'
	fi
}

# Each program must answer every line, or the timing means nothing.
for f in "${faqs[@]}"; do
	while IFS=$'\t' read -r -u 3 name cmd; do
		got=$(eval "$cmd" <"$work/queries.txt" | wc -l)
		[[ $got == "$queries" ]] || { echo "run.sh: $name ($f) printed $got lines, want $queries" >&2; exit 1; }
	done 3< <(commands "$f")
done

timer=$(command -v hyperfine >/dev/null && echo "hyperfine, 1 warm-up" || echo "bash loop")
echo "== timing: median of $runs runs each ($timer), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %-28s %12s %10s %10s %12s\n' faq program "$queries q, s" "µs/query" "CPU s" "no input, s"
for f in "${faqs[@]}"; do
	ours='' best=''
	while IFS=$'\t' read -r -u 3 name cmd; do
		read -r t cpu < <(timeit "$cmd" "$work/queries.txt")
		read -r t0 _ < <(timeit "$cmd" /dev/null)
		printf '%-7s %-28s %12.3f %10.1f %10.3f %12.3f\n' "$f" "$name" "$t" "$(calc "$t * 1e6 / $queries")" "$cpu" "$t0"
		if [[ -z $ours ]]; then
			ours=$t ourscpu=$cpu
		elif [[ -z $best ]] || (($(calc "$t < $best"))); then
			best=$t bestcpu=$cpu bestname=$name
		fi
	done 3< <(commands "$f")
	cpuratio=nan
	[[ $bestcpu == nan ]] || cpuratio=$(calc "$ourscpu / $bestcpu")
	printf '%-7s ratio beianbot / fastest bleve (%s) = %.3f wall, %.3f CPU (issue 9 asks <= 0.3)\n' \
		"$f" "$bestname" "$(calc "$ours / $best")" "$cpuratio"
done
echo "(finished at load $(cut -d' ' -f1-3 /proc/loadavg))"

echo "== accuracy on each FAQ's labelled queries (not the cycled file)"
for f in "${faqs[@]}"; do
	if [[ $f == corpus ]]; then set -- "${corpus_labels[@]}"; else set -- "${seed_labels[@]}"; fi
	list=$(IFS=,; echo "$*")
	echo "-- $f FAQ: ${*##*/}"
	eval "$work/blevecmp --engine ${engines[0]} --eval $(printf %q "$list") $(faqflag "$f")"
done
