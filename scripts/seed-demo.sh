#!/usr/bin/env bash
# Seeds a small demo district through evalctl, as its users would: two
# townships, three stations, one service year (2025) with a passed
# mid-term, a rectification past its deadline, a dismissed veto, a
# released tranche and parties late for the final. `make run` runs it on
# a new data directory; the dashboard's browser tests run it too, and
# check what the pages show against these numbers.
#   scripts/seed-demo.sh EVALCTL SERVER
set -euo pipefail
evalctl=$1
server=$2

as() {  # as TOKEN evalctl-arguments...
  local token=$1
  shift
  "$evalctl" --server "$server" --token "$token" "$@" >/dev/null
}
phase() {  # phase PROJECT PHASE: the flags naming a 2025 phase
  echo --project "$1" --year 2025 --phase "$2"
}

as demo-bureau project create --id P1 --name 黄阁镇社工站 --township huangge \
  --provider PR1 --villages V01,V02,V03 --start 2025-01-01 \
  --fund 2600000.00 --agency AG1 --request-id seed-P1
as demo-bureau project create --id P3 --name 黄阁镇麒麟社工点 \
  --township huangge --provider PR1 --villages V01 --start 2025-01-01 \
  --fund 1500000.00 --agency AG1 --request-id seed-P3
as demo-bureau project create --id P2 --name 东涌镇社工站 --township dongchong \
  --provider PR2 --villages V11 --start 2025-01-01 --fund 2000000.00 \
  --agency AG1 --request-id seed-P2

# P1 2025 mid-term: S = 0.7*86.40 + 0.1*92.00 + 0.1*mean(88.00, 90.50,
# 79.25) + 0.1*84.00 = 86.671666... -> 86.67, 良好; passed 2025-06-20, so
# its 780,000.00 yuan tranche is due 15 working days later, 2025-07-11.
read -r -a mid <<<"$(phase P1 mid-term)"
as demo-agency score submit "${mid[@]}" --score 86.40 --request-id seed-1
as demo-township score submit "${mid[@]}" --score 92.00 --request-id seed-2
as demo-village-v01 score submit "${mid[@]}" --score 88.00 --request-id seed-3
as demo-village-v02 score submit "${mid[@]}" --score 90.50 --request-id seed-4
as demo-village-v03 score submit "${mid[@]}" --score 79.25 --request-id seed-5
as demo-bureau score submit "${mid[@]}" --score 84.00 --request-id seed-6
as demo-agency financial submit "${mid[@]}" --score 85 --personnel 750000 \
  --service-quality 120000 --management 100000 --other 30000 \
  --request-id seed-7
as demo-agency veto raise "${mid[@]}" --kind professional \
  --code UNRESOLVED_COMPLAINT --evidence '居民投诉:长者饭堂活动取消未告知' \
  --request-id seed-8
as demo-bureau veto dismiss "${mid[@]}" --veto-id 1 \
  --reason '投诉已于2025-06-10办结,居民确认' --request-id seed-9
as demo-bureau evaluation finalize "${mid[@]}" --result-date 2025-06-20 \
  --request-id seed-10
as demo-finance disbursement release --project P1 --year 2025 \
  --kind year-start --reference BANK-2025-0001 --date 2025-01-20 \
  --request-id seed-11
# P1 2025 final (open since 2025-12-01): only the agency has scored.
as demo-agency score submit $(phase P1 final) --score 88 --request-id seed-12

# P3 2025 mid-term: all 93, 优秀; both tranches so far paid.
read -r -a p3 <<<"$(phase P3 mid-term)"
for token in demo-agency demo-township demo-village-v01 demo-bureau; do
  as "$token" score submit "${p3[@]}" --score 93 --request-id "seed-p3-$token"
done
as demo-agency financial submit "${p3[@]}" --score 90 --personnel 760000 \
  --service-quality 110000 --management 100000 --other 30000 \
  --request-id seed-p3-fin
as demo-bureau evaluation finalize "${p3[@]}" --result-date 2025-06-20 \
  --request-id seed-p3-final
as demo-finance disbursement release --project P3 --year 2025 \
  --kind year-start --reference BANK-2025-0002 --date 2025-01-20 \
  --request-id seed-p3-pay-1
as demo-finance disbursement release --project P3 --year 2025 \
  --kind mid-term --reference BANK-2025-0031 --date 2025-07-08 \
  --request-id seed-p3-pay-2

# P2 2025 mid-term: all 55, rectifiable: 不合格, rectification by
# 2025-07-25, never applied for.
read -r -a p2 <<<"$(phase P2 mid-term)"
as demo-agency score submit "${p2[@]}" --score 55 --rectifiable \
  --request-id seed-p2-ag
for token in demo-township-dc demo-village-v11 demo-bureau; do
  as "$token" score submit "${p2[@]}" --score 55 --request-id "seed-p2-$token"
done
as demo-agency financial submit "${p2[@]}" --score 80 --personnel 700000 \
  --service-quality 160000 --management 110000 --other 30000 \
  --request-id seed-p2-fin
as demo-bureau evaluation finalize "${p2[@]}" --result-date 2025-06-25 \
  --request-id seed-p2-final
