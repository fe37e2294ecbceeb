#!/bin/sh
# run.sh - the benchmark behind `make bench`: generates the corpus with
# bench/gen, times meaculpa on it (directory and JSON Lines, one core and
# all cores, one short draft, peak memory), times pcre2grep and `rg -P`
# on the same inputs with meaculpa's own patterns, and writes the table to
# bench/results.md with the machine's description.
#
# usage: sh bench/run.sh MEACULPA GEN OUTDIR RESULTS
# Environment: BENCH_RUNS (runs per meaculpa throughput timing, default 3),
#              BENCH_YARD_RUNS (the same for pcre2grep and rg, default 1:
#              they take minutes), BENCH_LAT_RUNS (latency runs, default 200;
#              BENCH_RG_LAT_RUNS for rg, default 20: it runs once per chunk),
#              BENCH_BIG (macros of the memory run, default 100000; 0 skips).
#
# Every timing is a median from hyperfine in this one run; ratios compare
# medians of the same run.  Nothing here passes or fails on a number.
set -eu

MC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
OUT=$3
RESULTS=$(cd "$(dirname "$4")" && pwd)/$(basename "$4")
RUNS=${BENCH_RUNS:-3}
YRUNS=${BENCH_YARD_RUNS:-1}
LAT_RUNS=${BENCH_LAT_RUNS:-200}
RG_LAT_RUNS=${BENCH_RG_LAT_RUNS:-20}
BIG=${BENCH_BIG:-100000}
NPROC=$(nproc)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg) # other work on the machine skews timings
mkdir -p "$OUT/times"
OUT=$(cd "$OUT" && pwd)

say() { printf 'bench: %s\n' "$*" >&2; }

# ---- inputs -------------------------------------------------------------

rm -rf "$OUT/corpus"
"$GEN" -n 10000 "$OUT/corpus" >&2
CORPUS=$OUT/corpus
(cd "$CORPUS" && find dir -type f -name '*.txt' | sort > files.txt)
NTEXTS=$(wc -l < "$CORPUS/files.txt")
DIR_BYTES=$(cd "$CORPUS" && cat $(cat files.txt) | wc -c)
JSONL_BYTES=$(wc -c < "$CORPUS/corpus.jsonl")
SHORT_BYTES=$(wc -c < "$CORPUS/short.txt")

# The patterns: as meaculpa compiles them (definitions inlined).  pcre2grep
# -u sets UTF only, so (*UCP) is added for Unicode \b, \w and \s, as
# meaculpa's PCRE2_UCP; -i is PCRE2_CASELESS.
"$MC" --dump-patterns > "$OUT/patterns.txt"
NPAT=$(wc -l < "$OUT/patterns.txt")
# pcre2grep 10.42 refuses a pattern over 8192 bytes: such patterns are
# left out of its list (and counted), which only makes its job lighter.
LC_ALL=C awk 'length($0) <= 8184 { print "(*UCP)" $0 }' "$OUT/patterns.txt" \
    > "$OUT/patterns-ucp.txt"
P2_DROPPED=$((NPAT - $(wc -l < "$OUT/patterns-ucp.txt")))

# rg joins all patterns into one regex: the (?(DEFINE)...) groups of
# different patterns would clash, so each line gets its own group names.
awk '{ delete map; n = 0; out = ""; s = $0
  while (match(s, /\(\?[<&][a-z_][a-z0-9_]*[>)]/)) {
    tok = substr(s, RSTART, RLENGTH); name = substr(tok, 4, RLENGTH - 4)
    if (!(name in map)) map[name] = "g" NR "_" (++n)
    out = out substr(s, 1, RSTART - 1) substr(tok, 1, 3) map[name] substr(tok, RLENGTH)
    s = substr(s, RSTART + RLENGTH) }
  print out s }' "$OUT/patterns.txt" > "$OUT/patterns-rg.txt"

# The joined regex may exceed PCRE2's compiled size limit; then it is split
# into the fewest consecutive chunks that compile, run one after another.
rm -f "$OUT"/rg-chunk.*
chunk=1
: > "$OUT/rg-chunk.1"
while IFS= read -r line; do
    cp "$OUT/rg-chunk.$chunk" "$OUT/rg-try"
    printf '%s\n' "$line" >> "$OUT/rg-try"
    if rg -P -i -q -f "$OUT/rg-try" /dev/null 2>/dev/null || [ $? -eq 1 ]; then
        mv "$OUT/rg-try" "$OUT/rg-chunk.$chunk"
    else
        chunk=$((chunk + 1))
        printf '%s\n' "$line" > "$OUT/rg-chunk.$chunk"
    fi
done < "$OUT/patterns-rg.txt"
rm -f "$OUT/rg-try"
RG_CHUNKS=$chunk

# ---- helpers ------------------------------------------------------------

# time_cmd NAME RUNS WARMUP SHELL CMD: median seconds into times/NAME.
time_cmd() {
    name=$1 runs=$2 warm=$3 shell=$4
    shift 4
    say "timing $name"
    if [ "$shell" = none ]; then
        hyperfine -N -i -w "$warm" -r "$runs" --style none \
            --export-csv "$OUT/times/$name.csv" -n "$name" "$*" >/dev/null
    else
        hyperfine -i -w "$warm" -r "$runs" --style none \
            --export-csv "$OUT/times/$name.csv" -n "$name" "$*" >/dev/null
    fi
    awk -F, 'NR == 2 { print $4 }' "$OUT/times/$name.csv" > "$OUT/times/$name"
}

get() { cat "$OUT/times/$1" 2>/dev/null || echo; }

# paired NAME RUNS CMD1 CMD2: CMD1 then CMD2, back to back, RUNS times;
# times/NAME gets the median of time(CMD1) / time(CMD2), and NAME.range
# the lowest and highest.  Load that comes and goes during the bench falls
# on both of a pair, where separate series of runs may catch it in one.
paired() {
    name=$1 runs=$2 a=$3 b=$4
    say "timing $name, $runs pairs"
    : > "$OUT/times/$name.pairs"
    i=0
    while [ "$i" -lt "$runs" ]; do
        hyperfine -i -r 1 --style none --export-csv "$OUT/times/pair.csv" \
            "$a" "$b" >/dev/null
        awk -F, 'NR == 2 { a = $2 } NR == 3 { printf "%.4f\n", a / $2 }' \
            "$OUT/times/pair.csv" >> "$OUT/times/$name.pairs"
        i=$((i + 1))
    done
    sort -n "$OUT/times/$name.pairs" | awk '{ v[NR] = $1 } END {
        printf "%.2f\n", (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 }' \
        > "$OUT/times/$name"
    sort -n "$OUT/times/$name.pairs" | awk 'NR == 1 { lo = $1 } END {
        printf "%.2f–%.2f\n", lo, $1 }' > "$OUT/times/$name.range"
}
# spread NAME: "MIN–MAX s" of the runs of one timing, to show how steady
# the machine was (other work on the host slows some runs).
spread() {
    awk -F, 'NR == 2 { printf "%.2f–%.2f s", $7, $8 }' "$OUT/times/$1.csv" 2>/dev/null
}

# Fails loudly when a command cannot even run (exit 2 and up).
check_runs() {
    rc=0
    (cd "$CORPUS" && sh -c "$1") >/dev/null 2>"$OUT/check.err" || rc=$?
    if [ "$rc" -ge 2 ]; then
        say "this command failed (exit $rc): $1"
        cat "$OUT/check.err" >&2
        exit 2
    fi
}

# rg over every chunk of patterns, one after another.
rg_cmd() {
    cmd=""
    i=1
    while [ "$i" -le "$RG_CHUNKS" ]; do
        cmd="$cmd${cmd:+; }rg -P -i -c --no-ignore $1 -f $OUT/rg-chunk.$i $2"
        i=$((i + 1))
    done
    printf '%s' "$cmd"
}

cd "$CORPUS"

# ---- meaculpa -------------------------------------------------------------

# Directory walking and -j come with the CLI of issue 4; until then the
# files are passed as arguments and only one core is measured.
if "$MC" --format json dir >/dev/null 2>&1; then
    MC_DIR="dir"
    DIR_HOW="the directory as one argument"
else
    MC_DIR='$(cat files.txt)'
    DIR_HOW="every file as an argument (no directory walking in this CLI)"
fi
if "$MC" -j 1 short.txt >/dev/null 2>&1; then
    HAVE_J=1
else
    HAVE_J=0
fi
J1=""
JN=""
[ "$HAVE_J" = 1 ] && J1="-j 1" && JN="-j $NPROC"

check_runs "$MC --format json $J1 $MC_DIR"
check_runs "$MC --format json --input-format jsonl $J1 corpus.jsonl"
time_cmd mc_dir_1 "$RUNS" 1 sh "$MC --format json $J1 $MC_DIR > /dev/null"
time_cmd mc_jsonl_1 "$RUNS" 1 none "$MC --format json --input-format jsonl $J1 corpus.jsonl"
if [ "$HAVE_J" = 1 ] && [ "$NPROC" -gt 1 ]; then
    time_cmd mc_dir_n "$RUNS" 1 sh "$MC --format json $JN $MC_DIR > /dev/null"
    time_cmd mc_jsonl_n "$RUNS" 1 none "$MC --format json --input-format jsonl $JN corpus.jsonl"
    paired mc_dir_pairs "$RUNS" "$MC --format json $J1 $MC_DIR > /dev/null" \
        "$MC --format json $JN $MC_DIR > /dev/null"
fi
time_cmd mc_short "$LAT_RUNS" 10 none "$MC short.txt"

# Peak memory: the 10k corpus both ways, and a large JSON Lines run to see
# whether memory stays flat as the corpus grows.
# rss CMD: "peak-KiB seconds exit-status" of one run.
rss() { /usr/bin/time -f '%M %e %x' sh -c "$1 > /dev/null 2>$OUT/rss.err" 2>&1 >/dev/null | tail -1; }
say "peak memory"
RSS_DIR=$(rss "$MC --format json $J1 $MC_DIR" | cut -d' ' -f1)
RSS_JSONL=$(rss "$MC --format json --input-format jsonl $J1 corpus.jsonl" | cut -d' ' -f1)
RSS_SHORT=$(rss "$MC short.txt" | cut -d' ' -f1)
RSS_BIG=""
BIG_S=""
BIG_HOW=""
if [ "$BIG" -gt 0 ]; then
    "$GEN" -D -n "$BIG" "$OUT/big" >&2
    BIG_BYTES=$(wc -c < "$OUT/big/corpus.jsonl")
    say "memory run over $BIG macros"
    set -- $(rss "$MC --format json --input-format jsonl $JN $OUT/big/corpus.jsonl")
    RSS_BIG=$1 BIG_S=$2 BIG_HOW="one file"
    if [ "$3" -ge 2 ]; then
        # Refused (a CLI that reads a file whole has a size limit): the
        # same macros in files of 10,000 lines, to see memory across files.
        BIG_HOW="one file refused ($(head -c 160 "$OUT/rss.err" | tr '\n|' '  ')); so in files of 10000 lines"
        split -l 10000 "$OUT/big/corpus.jsonl" "$OUT/big/part-"
        set -- $(rss "$MC --format json --input-format jsonl $JN $OUT/big/part-*")
        RSS_BIG=$1 BIG_S=$2
        [ "$3" -ge 2 ] && BIG_HOW="$BIG_HOW, which failed too (exit $3)"
    fi
    rm -rf "$OUT/big"
fi

# ---- the yardsticks ---------------------------------------------------------

P2="pcre2grep -c -u -i -f $OUT/patterns-ucp.txt"
check_runs "$P2 -r dir"
time_cmd p2_dir "$YRUNS" 0 none "$P2 -r dir"
time_cmd p2_jsonl "$YRUNS" 0 none "$P2 corpus.jsonl"
time_cmd p2_short "$LAT_RUNS" 10 none "$P2 short.txt"
time_cmd p2_short_nojit "$LAT_RUNS" 10 none "$P2 --no-jit short.txt"
check_runs "$(rg_cmd -j1 dir)"
time_cmd rg_dir_1 "$YRUNS" 0 sh "$(rg_cmd -j1 dir) > /dev/null"
time_cmd rg_dir_n "$YRUNS" 0 sh "$(rg_cmd "-j$NPROC" dir) > /dev/null"
time_cmd rg_jsonl "$YRUNS" 0 sh "$(rg_cmd -j1 corpus.jsonl) > /dev/null"
time_cmd rg_short "$RG_LAT_RUNS" 3 sh "$(rg_cmd -j1 short.txt) > /dev/null"

# ---- the table --------------------------------------------------------------

# rate BYTES SECONDS: MB/s (10^6 bytes); texts TEXTS SECONDS: texts/s.
rate() { [ -n "$2" ] && awk -v b="$1" -v s="$2" 'BEGIN { printf "%.2f", b / s / 1e6 }'; }
texts() { [ -n "$2" ] && awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ms() { [ -n "$1" ] && awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'; }
# ratio A B: B/A as "N.N×" (how many times faster meaculpa's A is than B).
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", b / a }'; }

row() { # label bytes mc p2 rg
    printf '| %s | %s MB/s, %s texts/s | %s MB/s | %s MB/s | %s | %s |\n' "$1" \
        "$(rate "$2" "$3")" "$(texts "$NTEXTS" "$3")" "$(rate "$2" "$4")" \
        "$(rate "$2" "$5")" "$(ratio "$3" "$4")" "$(ratio "$3" "$5")"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
    echo "# meaculpa benchmark results"
    echo
    echo "Written by \`make bench\` (bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo "Timings are hyperfine medians from this one run ($RUNS runs per"
    echo "meaculpa throughput figure, $YRUNS per pcre2grep / rg throughput figure,"
    echo "$LAT_RUNS for latencies); ratios compare medians of the same run; > 1×"
    echo "means meaculpa is faster.  MB = 10^6 bytes."
    echo
    echo "## Machine"
    echo
    echo "- CPU: $cpu, nproc = $NPROC; load average when the run began: $LOAD"
    echo "- OS: Debian $(cat /etc/debian_version 2>/dev/null || echo '?'), Linux $(uname -r)"
    echo "- $("$MC" --version), $(cc --version | head -1)"
    echo "- $(pcre2grep --version), $(rg --version | head -1), $(hyperfine --version)"
    echo
    echo "## Inputs"
    echo
    echo "- corpus: bench/gen, seed 6: $NTEXTS macros (en 60%, ru 20%, pl 20%),"
    echo "  $DIR_BYTES bytes in a directory tree, $JSONL_BYTES bytes as JSON Lines"
    echo "- short draft: $SHORT_BYTES bytes of English (corpus/short.txt)"
    echo "- patterns: $NPAT, from \`meaculpa --dump-patterns\` (default rules)"
    echo "- meaculpa over the directory: $DIR_HOW"
    echo "- pcre2grep: \`-c -u -i\`, each pattern prefixed with (*UCP); it is"
    echo "  single-threaded, so its one figure serves both rows; $P2_DROPPED pattern(s)"
    echo "  over its 8192-byte limit left out"
    echo "- rg -P: \`-i -c --no-ignore\`; the patterns need $RG_CHUNKS run(s) of rg"
    echo "  (the joined regex exceeds PCRE2's size limit otherwise), timed together"
    echo
    echo "## Throughput"
    echo
    echo "| input | meaculpa | pcre2grep | rg -P | ÷ pcre2grep | ÷ rg -P |"
    echo "|---|---|---|---|---|---|"
    row "directory, 1 core" "$DIR_BYTES" "$(get mc_dir_1)" "$(get p2_dir)" "$(get rg_dir_1)"
    if [ -n "$(get mc_dir_n)" ]; then
        row "directory, $NPROC cores" "$DIR_BYTES" "$(get mc_dir_n)" "$(get p2_dir)" "$(get rg_dir_n)"
    else
        echo "| directory, $NPROC cores | (no -j in this CLI) | | $(rate "$DIR_BYTES" "$(get rg_dir_n)") MB/s | | |"
    fi
    row "JSON Lines, 1 core" "$JSONL_BYTES" "$(get mc_jsonl_1)" "$(get p2_jsonl)" "$(get rg_jsonl)"
    if [ -n "$(get mc_jsonl_n)" ]; then
        row "JSON Lines, $NPROC cores" "$JSONL_BYTES" "$(get mc_jsonl_n)" "$(get p2_jsonl)" "$(get rg_jsonl)"
    fi
    if [ -n "$(get mc_dir_n)" ]; then
        echo
        echo "Scaling on the directory: -j $NPROC is $(ratio "$(get mc_dir_n)" "$(get mc_dir_1)") -j 1"
        echo "(JSON Lines: $(ratio "$(get mc_jsonl_n)" "$(get mc_jsonl_1)")).  The directory runs took"
        echo "$(spread mc_dir_1) at -j 1 and $(spread mc_dir_n) at -j $NPROC; a wide spread means"
        echo "other work on the machine or its host.  Run back to back in $RUNS"
        echo "pairs, -j 1 then -j $NPROC, the median pair is $(get mc_dir_pairs)× (lowest and"
        echo "highest $(get mc_dir_pairs.range)×)."
    fi
    echo
    echo "## One short draft (process start to exit)"
    echo
    echo "| command | median | meaculpa's ratio |"
    echo "|---|---|---|"
    echo "| meaculpa short.txt (default rules) | $(ms "$(get mc_short)") ms | |"
    echo "| pcre2grep --no-jit | $(ms "$(get p2_short_nojit)") ms | $(ratio "$(get mc_short)" "$(get p2_short_nojit)") |"
    echo "| pcre2grep (JIT) | $(ms "$(get p2_short)") ms | $(ratio "$(get mc_short)" "$(get p2_short)") |"
    echo "| rg -P ($RG_CHUNKS runs, $RG_LAT_RUNS times) | $(ms "$(get rg_short)") ms | $(ratio "$(get mc_short)" "$(get rg_short)") |"
    echo
    echo "## Peak RSS (/usr/bin/time -v)"
    echo
    echo "| run | peak RSS |"
    echo "|---|---|"
    echo "| short draft | $RSS_SHORT KiB |"
    echo "| directory, $NTEXTS macros | $RSS_DIR KiB |"
    echo "| JSON Lines, $NTEXTS macros | $RSS_JSONL KiB |"
    if [ -n "$RSS_BIG" ]; then
        echo "| JSON Lines, $BIG macros ($BIG_BYTES bytes, ${JN:-1 core}; $BIG_HOW) | $RSS_BIG KiB ($(rate "$BIG_BYTES" "$BIG_S") MB/s, one run) |"
    fi
    echo
    echo "## Reading the table"
    echo
    echo "- pcre2grep and rg match line by line.  In the directory a line is a"
    echo "  paragraph and every pattern is tried on it; in JSON Lines a line is a"
    echo "  whole macro, and pcre2grep stops at the first pattern that matches a"
    echo "  line (the quotation patterns match the JSON quotes at once), so its JSON"
    echo "  Lines figure is far from the work of trying every pattern: the directory"
    echo "  rows are the fair comparison."
    echo "- Scaling needs idle cores: check the load average above."
    echo "- JSON Lines are streamed in batches of 256 lines over the -j workers, so"
    echo "  one file uses every core and memory stays flat as the file grows."
    echo "- The files of a directory go to the -j workers in tasks of up to 32"
    echo "  files (64 KiB), so that hand-offs are few and the threads stay even."
} > "$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
cp "$RESULTS" "$OUT/results.md"
cat "$RESULTS"
