#!/bin/sh
# jq peer: per (host, UTC minute) counts of completion lines and of 5xx among them.
# Usage: jq-counts.sh FILE (plain or .zst). Prints `host<TAB>minute<TAB>requests<TAB>5xx`
# (minute = Unix minutes), sorted. Times are RFC 3339 with Z, +hh:mm or +hhmm.
# jq extracts (lines that are not JSON are dropped by `fromjson?`),
# awk sums: jq alone would hold every group in one object and run out of patience first.
set -eu
f=$1
case $f in *.zst) cat_cmd="zstd -dcq" ;; *) cat_cmd="cat" ;; esac
$cat_cmd "$f" | jq -rR '
  fromjson? | objects
  | select(.msg == "response completed" or .msg == "response completed with error")
  | .time as $t | ($t | length) as $n
  | (if ($t[$n-1:] == "Z" or $t[$n-1:] == "z") then 0
     else (if $t[$n-3:$n-2] == ":" then $t[$n-6:] else $t[$n-5:] end | gsub(":"; "")) as $o
          | ((($o[1:3] | tonumber) * 60 + ($o[3:5] | tonumber)) * (if $o[0:1] == "-" then -1 else 1 end))
     end) as $off
  | (."http.request.host" | ascii_downcase) as $h | ($h | rindex(":")) as $c
  | [ (if $c and ($h[$c+1:] | test("^[0-9]+$")) then $h[0:$c] else $h end),
      (($t[0:16] + ":00Z" | fromdateiso8601) / 60 - $off),
      ((."http.response.status" | tostring | tonumber? // 0) as $s | if $s >= 500 and $s <= 599 then 1 else 0 end) ]
  | @tsv' |
  awk -F '\t' '{ k = $1 "\t" $2; n[k]++; e[k] += $3 } END { for (k in n) print k "\t" n[k] "\t" e[k] }' |
  LC_ALL=C sort
