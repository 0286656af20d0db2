#!/usr/bin/env bash
# End to end on the embedded profile in Sandbox mode: a simulated publisher, an IndexNow key, a CSV import, and the
# URLs routed, validated and submitted to the simulated IndexNow engine. The same commands are in the README.
# Needs curl and jq. Uses its own data folder and port; leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=$(mktemp -d)
PORT=${PORT:-5180}
BASE=http://127.0.0.1:$PORT
API=$BASE/api/v1
HOST=guest-blog.example
INDEXNOW_KEY=f3a9c0d1e2b34a5c

echo "== starting the Host in Sandbox mode (data in $DATA)"
dotnet build src/Host/BacklinkOrleans.Host -nologo -v quiet >/dev/null
(cd "$DATA" && exec dotnet run --no-build --project "$OLDPWD/src/Host/BacklinkOrleans.Host" -- \
    --Sandbox:Enabled=true --Urls=$BASE --Cluster:SiloPort=11190 --Cluster:GatewayPort=30090) >"$DATA/host.log" 2>&1 &
HOST_PID=$!
trap 'kill $HOST_PID 2>/dev/null; wait $HOST_PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -sf $BASE/health/ready >/dev/null && break; sleep 1; done
curl -sf $BASE/health/ready >/dev/null || { echo "the Host did not become ready:"; tail -20 "$DATA/host.log"; exit 1; }

OP=$(grep operator_api_key "$DATA/data/first-run-keys.txt" | cut -d= -f2)
KEY=$(grep tenant_api_key "$DATA/data/first-run-keys.txt" | cut -d= -f2)

echo "== a simulated publisher: two articles linking to the client, a 410, a noindex page, and the IndexNow key file"
SITE=$BASE/sandbox/sites/$HOST
ARTICLE='<!doctype html><html><head><title>Review</title></head><body><p>Read <a href="https://client.example/">the client</a>.</p></body></html>'
curl -sf -X PUT "$SITE/acme-review?contentType=text/html" -H "X-Api-Key: $OP" --data "$ARTICLE" >/dev/null
curl -sf -X PUT "$SITE/acme-interview?contentType=text/html" -H "X-Api-Key: $OP" --data "$ARTICLE" >/dev/null
curl -sf -X PUT "$SITE/old-post?status=410" -H "X-Api-Key: $OP" --data 'gone' >/dev/null
curl -sf -X PUT "$SITE/hidden?contentType=text/html" -H "X-Api-Key: $OP" \
     --data '<html><head><meta name="robots" content="noindex"></head><body>draft</body></html>' >/dev/null
curl -sf -X PUT "$SITE/$INDEXNOW_KEY.txt" -H "X-Api-Key: $OP" --data "$INDEXNOW_KEY" >/dev/null

echo "== the tenant's IndexNow key for $HOST, verified against the key file"
CREDENTIAL=$(curl -sf -X POST $API/credentials -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' \
     -d "{\"kind\":\"indexnow\",\"host\":\"$HOST\",\"key\":\"$INDEXNOW_KEY\",\"label\":\"guest blog\"}" | jq -r .id)
curl -sf -X POST $API/credentials/$CREDENTIAL/verify -H "X-Api-Key: $KEY" | jq -c '{status, detail}'

echo "== a campaign and a CSV import (one URL on a host no credential covers)"
CAMPAIGN=$(curl -sf -X POST $API/campaigns -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' \
     -d '{"name":"Acme Q4 guest posts","client":"Acme"}' | jq -r .id)
printf 'url,target_url\nhttps://%s/acme-review,https://client.example/\nhttps://%s/acme-interview,https://client.example/\nhttps://%s/old-post,\nhttps://%s/hidden,\nhttps://elsewhere.example/post,\n' \
     $HOST $HOST $HOST $HOST > "$DATA/links.csv"
curl -sf -X POST $API/campaigns/$CAMPAIGN/backlinks -H "X-Api-Key: $KEY" -H 'Content-Type: text/csv' --data-binary @"$DATA/links.csv" \
     | jq -c '{rows, accepted, rejected}'

echo "== watching the campaign until nothing is left to route, validate or submit"
for _ in $(seq 1 60); do
  PROGRESS=$(curl -sf $API/campaigns/$CAMPAIGN -H "X-Api-Key: $KEY")
  echo "$PROGRESS" | jq -c '.counters'
  echo "$PROGRESS" | jq -e '[.counters[] | select(.state == "collected" or .state == "validated")] | length == 0' >/dev/null && break
  sleep 1
done

echo "== every backlink, its state and reason"
curl -sf "$API/campaigns/$CAMPAIGN/backlinks" -H "X-Api-Key: $KEY" | jq -r '.items[] | "\(.state)\t\(.reason // "")\t\(.url)"'
echo "== the IndexNow key's quota"
curl -sf $API/quotas -H "X-Api-Key: $KEY" | jq -c '.[] | {channel, scope, limit, used, reserved, remaining, state, windowResetsAt}'
echo "== what the simulated IndexNow engine received"
curl -sf $BASE/sandbox/requests -H "X-Api-Key: $OP" | jq -c '.[] | select(.host == "api.indexnow.org") | {method, status, body: (.body | fromjson | {host, urlList})}'
echo "== the history of one submitted backlink"
SHA=$(printf '%s' "https://$HOST/acme-review" | sha256sum | cut -c1-64)
curl -sf $API/backlinks/$SHA/events -H "X-Api-Key: $KEY" | jq -c '.[] | {type, data: (.data | del(.eventId))}'
