#!/usr/bin/env bash
# Do two source trees give the same outputs? Runs neardup's commands on the seeds, the laws and
# the news corpora with each tree's src/ (the same Python environment), then compares every
# output byte for byte, after masking the elapsed seconds and the output directory.
#
#   benchmarks/same_outputs.sh OLD_SRC NEW_SRC [OUT_DIR]
#
# e.g. `git worktree add ../neardup-old 24e22e3 && benchmarks/same_outputs.sh ../neardup-old/src src`.
# Corpora come from ../shared (beside the clone); about 10 minutes on two cores per tree.
# Exit status 0 when every output is the same.
set -uo pipefail
[ $# -ge 2 ] || { sed -n 2,9p "$0"; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${NEARDUP_SHARED:-$root/../shared}"
seeds="$shared/seeds" laws="$shared/corpora/laws_zh.jsonl.gz" news="$shared/corpora/cctv_news.jsonl.gz"
out="${3:-$(mktemp -d)}"
export NEARDUP_NO_PROGRESS=1

run_tree() {  # SRC DIR: every command's output, standard output and exit status under DIR
    local src dir; src="$(cd "$1" && pwd)" dir="$2"; mkdir -p "$dir"
    nd() { PYTHONPATH="$src" python -m neardup "$@"; }
    for corpus in "seeds:$seeds" "laws:$laws" "news:$news"; do
        local name="${corpus%%:*}" path="${corpus#*:}"
        for mode in default copies; do
            local extra=(); [ "$mode" = copies ] && extra=(--preset copies)
            for f in json text csv jsonl markdown html; do
                nd scan "$path" "${extra[@]}" -q -w 2 -f "$f" -o "$dir/$name.$mode.$f" \
                    > "$dir/$name.$mode.$f.out" 2>&1; echo $? >> "$dir/$name.$mode.$f.out"
            done
            nd scan "$path" "${extra[@]}" -w 2 > "$dir/$name.$mode.terminal" 2>&1
            echo $? >> "$dir/$name.$mode.terminal"
        done
    done
    zcat "$laws" | head -300 > "$dir/laws300.jsonl"
    {
        nd index create "$dir/laws.ndx" --threshold 0.6 --script simplified; echo $?
        nd index add "$dir/laws.ndx" "$laws" -q; echo $?
        nd index info "$dir/laws.ndx"; echo $?
        nd check "$dir/laws300.jsonl" --index "$dir/laws.ndx" -f json -o "$dir/check.json"; echo $?
        nd check "$dir/laws300.jsonl" --index "$dir/laws.ndx" --containment 0.3; echo $?
        nd check "$seeds" --against "$laws" --preset copies -f json -o "$dir/against.json"; echo $?
        nd dedup "$laws" -o "$dir/dedup.jsonl" --removed "$dir/removed.jsonl" \
            --clusters "$dir/clusters.jsonl" -q; echo $?
        nd dedup "$laws" -o "$dir/dedup-longest.jsonl" --keep longest --preset copies -q; echo $?
    } > "$dir/index-check-dedup.out" 2>&1
}

masked() {  # FILE: without elapsed seconds and the output directory
    sed -E "s#$out/(old|new)#OUT#g; s/\"seconds\": [0-9.e-]+/\"seconds\": T/; s/[0-9]+(\.[0-9]+)? s\b/T s/g" "$1"
}

run_tree "$1" "$out/old"
run_tree "$2" "$out/new"
same=0 different=0
for file in "$out"/old/*; do
    name="$(basename "$file")"
    if cmp -s "$file" "$out/new/$name" || cmp -s <(masked "$file") <(masked "$out/new/$name"); then
        same=$((same + 1))
    else
        different=$((different + 1)); echo "different: $name"
    fi
done
echo "$same outputs the same, $different different (in $out)"
[ "$different" -eq 0 ]
