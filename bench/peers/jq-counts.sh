#!/bin/sh
# jq peer: per (host, UTC minute) counts of completion lines and of 5xx among them.
# Usage: jq-counts.sh FILE (plain or .zst). Prints `host<TAB>minute<TAB>requests<TAB>5xx`
# (minute = Unix minutes), sorted. jq extracts (lines that are not JSON are dropped by `fromjson?`),
# awk sums: jq alone would hold every group in one object and run out of patience first.
set -eu
f=$1
case $f in *.zst) cat_cmd="zstd -dcq" ;; *) cat_cmd="cat" ;; esac
$cat_cmd "$f" | jq -rR '
  fromjson? | objects
  | select(.msg == "response completed" or .msg == "response completed with error")
  | (.time | capture("^(?<d>[0-9-]{10}T[0-9:]{5}):[0-9]{2}(\\.[0-9]+)?(?<z>[Zz]|[+-][0-9]{2}:?[0-9]{2})$")) as $t
  | (if ($t.z == "Z" or $t.z == "z") then 0
     else ($t.z | gsub(":"; "")) as $o
          | ((($o[1:3] | tonumber) * 60 + ($o[3:5] | tonumber)) * (if $o[0:1] == "-" then -1 else 1 end))
     end) as $off
  | [ (."http.request.host" | ascii_downcase | sub(":[0-9]+$"; "")),
      ((($t.d + ":00Z") | fromdateiso8601) / 60 - $off),
      ((."http.response.status" | tostring | tonumber? // 0) as $s | if $s >= 500 and $s <= 599 then 1 else 0 end) ]
  | @tsv' |
  awk -F '\t' '{ k = $1 "\t" $2; n[k]++; e[k] += $3 } END { for (k in n) print k "\t" n[k] "\t" e[k] }' |
  LC_ALL=C sort
