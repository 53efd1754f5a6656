#!/usr/bin/env bash
# The walk-through of docs/walkthrough.md, step by step, with curl: no browser and no Apollo CDN.
#
#   npm start                                   # in another terminal (development mode, demo data)
#   bash examples/walkthrough.sh                # against http://localhost:4000/graphql
#   API_URL=http://127.0.0.1:4100/graphql bash examples/walkthrough.sh
#   npm start > server.log & SERVER_LOG=server.log bash examples/walkthrough.sh   # also verifies a sign-up
#
# Every answer is checked; the script stops at the first one that is not what the walk-through
# says, printing it. It needs bash and curl only (no jq): the values it reads back (tokens, ids,
# codes) never contain quotes, so grep and cut are enough.
set -euo pipefail

API_URL="${API_URL:-http://localhost:4000/graphql}"
# The server's log (development mailer): where the verification link of step 2 is read from.
SERVER_LOG="${SERVER_LOG:-}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
ALICE_JAR="$WORK/alice.cookies"
RESPONSE=''
STATUS=''
STEP=''

step() {
  STEP="$1"
  printf '\n== %s\n' "$1"
}
ok() { printf '  ok  %s\n' "$1"; }
note() { printf '      %s\n' "$1"; }
fail() {
  printf '\nUNEXPECTED in "%s": %s\n  HTTP %s\n  %s\n' "$STEP" "$1" "$STATUS" "$RESPONSE" >&2
  exit 1
}

# gql QUERY [VARIABLES_JSON] [curl options…]: POSTs one operation; sets RESPONSE and STATUS.
# A query goes into the JSON body as it is: its string values are variables, or written \".
gql() {
  local query="$1" variables="${2:-null}"
  shift 2 || shift $#
  if ! STATUS="$(curl -sS -o "$WORK/body" -w '%{http_code}' "$API_URL" \
    -H 'Content-Type: application/json' \
    --data "{\"query\":\"$query\",\"variables\":$variables}" "$@")"; then
    RESPONSE=''
    fail "no answer from $API_URL: is the server running (npm start)?"
  fi
  RESPONSE="$(cat "$WORK/body")"
}

# field NAME: the first string value of "NAME" in RESPONSE (empty when absent).
field() { grep -o "\"$1\":\"[^\"]*\"" <<<"$RESPONSE" | head -n 1 | cut -d'"' -f4 || true; }
# nth_id N: the N-th "id" string in RESPONSE.
nth_id() { grep -o '"id":"[^"]*"' <<<"$RESPONSE" | sed -n "${1}p" | cut -d'"' -f4 || true; }
number() { grep -o "\"$1\":[0-9]*" <<<"$RESPONSE" | head -n 1 | cut -d: -f2 || true; }
has() { grep -qF -- "$1" <<<"$RESPONSE"; }

expect_status() { [[ "$STATUS" == "$1" ]] || fail "expected HTTP $1"; }
expect_ok() {
  expect_status 200
  has '"errors"' && fail 'expected no errors'
  return 0
}
expect_code() {
  has "\"code\":\"$1\"" || fail "expected extensions.code $1"
}

LOGIN='mutation ($input: LoginInput!) { login(input: $input) { accessToken expiresAt user { id name email role } } }'
# The login field limit (10 a minute per client network) answers with this message; the login
# throttle's "Too many failed logins" is part of the walk-through and is not waited out.
FIELD_LIMIT_MESSAGE='Too many requests'

# login EMAIL PASSWORD [curl options…]: one login; waits once if this network's login limit is
# spent (a second run within a minute), so the walk-through can be run again.
login() {
  local email="$1" password="$2"
  shift 2
  gql "$LOGIN" "{\"input\":{\"email\":\"$email\",\"password\":\"$password\"}}" "$@"
  if has "$FIELD_LIMIT_MESSAGE"; then
    local wait
    wait="$(number retryAfter)"
    note "the login limit of this network (10 a minute) is spent: waiting ${wait:-60} s"
    sleep "$((${wait:-60} + 1))"
    gql "$LOGIN" "{\"input\":{\"email\":\"$email\",\"password\":\"$password\"}}" "$@"
  fi
}

# A new address each run, so the sign-up and the lockout demo work again on the next run.
RUN="$(date +%s)$$"

step '0. The server answers'
gql '{ health }'
expect_ok
ok "POST $API_URL answers { health }"
# A GET must carry a non-empty Apollo-Require-Preflight header (CSRF prevention).
STATUS="$(curl -sS -o "$WORK/body" -w '%{http_code}' -G "$API_URL" --data-urlencode 'query={ health }' \
  -H 'Apollo-Require-Preflight: true')"
RESPONSE="$(cat "$WORK/body")"
expect_ok
ok 'GET with Apollo-Require-Preflight answers too'

step '1. Browse anonymously'
CATALOGUE='query Catalogue($search: String) { products(first: 5, search: $search) { totalCount edges { node { id name priceCents reviews(first: 3) { edges { node { rating body author { name email } } } } } } pageInfo { hasNextPage endCursor } } }'
gql "$CATALOGUE" '{"search":"lamp"}'
expect_ok
has '"email":"' && fail 'an anonymous client must not see an email'
has '"cost":{"requested":' || fail 'expected extensions.cost'
PRODUCT_1="$(nth_id 1)"
PRODUCT_2="$(nth_id 2)"
[[ -n "$PRODUCT_1" && -n "$PRODUCT_2" ]] || fail 'expected two products (is the demo data seeded?)'
ok "products(search: \"lamp\"): totalCount $(number totalCount), author emails null, extensions.cost.requested $(number requested)"
gql 'query ($q: String!) { estimateCost(query: $q) { requested allowed limit remaining } }' \
  '{"q":"{ products(first: 50) { edges { node { id } } } }"}'
expect_ok
[[ "$(number requested)" == 101 ]] || fail 'expected estimateCost requested 101'
ok 'estimateCost prices { products(first: 50) { edges { node { id } } } } at 101 without running it'

step '2. Sign up, or sign in'
YOU="you-$RUN@example.com"
MAILS_BEFORE=0
if [[ -n "$SERVER_LOG" ]]; then
  MAILS_BEFORE="$(grep -c 'verificationLink' "$SERVER_LOG" || true)"
fi
gql 'mutation ($input: RegisterInput!) { register(input: $input) }' \
  "{\"input\":{\"email\":\"$YOU\",\"password\":\"a-long-password-of-yours\",\"name\":\"You\"}}"
if has '"code":"RATE_LIMITED"'; then
  # register allows 5 a hour per network: a sixth run within the hour skips the sign-up.
  note "register: RATE_LIMITED (5 an hour per network); skipping the sign-up this time"
else
  expect_ok
  has '"register":true' || fail 'expected register: true'
  ok "register($YOU) answers true (it would for a taken address too)"
  if [[ -n "$SERVER_LOG" ]]; then
    TOKEN=''
    # The mail is written after the answer: wait a little for its log line.
    for _ in $(seq 1 50); do
      if (($(grep -c 'verificationLink' "$SERVER_LOG" || true) > MAILS_BEFORE)); then
        TOKEN="$(grep 'verificationLink' "$SERVER_LOG" | tail -n 1 | grep -o '#token=[A-Za-z0-9_-]*' | cut -d= -f2)"
        break
      fi
      sleep 0.1
    done
    [[ -n "$TOKEN" ]] || fail "no verification link in $SERVER_LOG"
    gql 'mutation ($token: String!) { verifyEmail(token: $token) { accessToken user { id email } } }' \
      "{\"token\":\"$TOKEN\"}"
    expect_ok
    [[ "$(field email)" == "$YOU" ]] || fail "expected verifyEmail to sign in $YOU"
    ok 'verifyEmail(token from the server log) activates the account and signs in'
  else
    note 'set SERVER_LOG to the server log to verify it here; or copy #token=… from the log line'
    note '"email verification requested (development mailer)" and call verifyEmail(token:)'
  fi
fi
login alice@example.com alice-demo-password-1 -c "$ALICE_JAR"
expect_ok
ALICE="$(field accessToken)"
ALICE_ID="$(field id)"
[[ -n "$ALICE" ]] || fail 'expected an access token'
grep -q '__Host-sgql_refresh' "$ALICE_JAR" || fail 'expected the refresh cookie'
ok 'login(alice) returns an access token and sets the __Host-sgql_refresh cookie'
gql '{ viewer { name email role } }' null -H "Authorization: Bearer $ALICE"
expect_ok
[[ "$(field email)" == alice@example.com ]] || fail 'expected alice as the viewer'
ok 'viewer with Authorization: Bearer <token> is alice, email included'

step '3. Place an order'
gql 'mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id status totalCents items { quantity unitPriceCents product { name } } } }' \
  "{\"input\":{\"items\":[{\"productId\":\"$PRODUCT_1\",\"quantity\":2},{\"productId\":\"$PRODUCT_2\",\"quantity\":1}],\"shippingAddress\":{\"line1\":\"1 High Street\",\"city\":\"London\",\"postcode\":\"SW1A 1AA\",\"country\":\"GB\"}}}" \
  -H "Authorization: Bearer $ALICE"
expect_ok
ORDER="$(nth_id 1)"
[[ "$(field status)" == PENDING ]] || fail 'expected a PENDING order'
ok "createOrder: $ORDER, PENDING, totalCents $(number totalCents) computed by the server"
gql '{ myOrders(first: 10) { totalCount edges { node { id status totalCents } } } }' null \
  -H "Authorization: Bearer $ALICE"
expect_ok
has "\"id\":\"$ORDER\"" || fail 'expected the order in myOrders'
ok 'myOrders lists it'

step '4. Try what an attacker would'
login bob@example.com bob-demo-password-1
expect_ok
BOB="$(field accessToken)"
gql 'query ($id: ID!) { order(id: $id) { id totalCents } }' "{\"id\":\"$ORDER\"}" -H "Authorization: Bearer $BOB"
expect_status 200
expect_code NOT_FOUND
ok "bob asking for alice's order: NOT_FOUND"
gql '{ order(id: \"00000000-0000-4000-8000-000000000000\") { id } }' null -H "Authorization: Bearer $BOB"
expect_code NOT_FOUND
ok 'an order that does not exist: the same NOT_FOUND'
gql 'mutation { updateProfile(input: { name: \"B\", role: ADMIN }) { role } }' null -H "Authorization: Bearer $BOB"
expect_status 400
expect_code GRAPHQL_VALIDATION_FAILED
ok 'updateProfile with a role: 400 GRAPHQL_VALIDATION_FAILED before anything runs'
gql '{ viewer { name } }' null -H 'Authorization: Bearer not-a-real-token'
expect_status 401
expect_code UNAUTHENTICATED
ok 'a bad token: 401 UNAUTHENTICATED, never treated as anonymous'
# Wrong passwords for an address of its own, not a demo account: five (address, network)
# failures put that pair on delays (1 s, then 2 s, 4 s …); other accounts are not touched.
MALLORY="mallory-$RUN@example.com"
for attempt in 1 2 3 4 5; do
  login "$MALLORY" wrong-password-123
  expect_code UNAUTHENTICATED
done
ok "5 wrong passwords for $MALLORY: UNAUTHENTICATED each time"
login "$MALLORY" wrong-password-123
expect_code RATE_LIMITED
ok "the 6th at once: RATE_LIMITED, retryAfter $(number retryAfter) s (then 2 s, 4 s … up to 15 min)"
login bob@example.com bob-demo-password-1
expect_ok
ok 'bob, from the same network, still signs in: the delay is on that address from this network only'

step '5. Admin and API keys'
login admin@example.com admin-demo-password-1
expect_ok
ADMIN="$(field accessToken)"
gql 'query ($id: ID!) { user(id: $id) { name email role } }' "{\"id\":\"$ALICE_ID\"}" -H "Authorization: Bearer $ADMIN"
expect_ok
[[ "$(field email)" == alice@example.com ]] || fail "expected alice's email for the admin"
ok "user(id: alice) as the admin, email included"
gql 'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id name priceCents } }' \
  '{"input":{"name":"Walk-through Lamp","description":"Made in the walk-through.","priceCents":1999}}' \
  -H "Authorization: Bearer $ADMIN"
expect_ok
ok "createProduct as the admin: $(field name)"
gql 'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }' \
  '{"input":{"name":"Nope","description":"Not an admin.","priceCents":1}}' -H "Authorization: Bearer $BOB"
expect_code FORBIDDEN
ok 'createProduct as bob: FORBIDDEN'
gql 'mutation { createApiKey(input: { name: \"ci\", scopes: [PRODUCTS_READ] }) { secret apiKey { id prefix scopes } } }' \
  null -H "Authorization: Bearer $ALICE"
expect_ok
KEY="$(field secret)"
KEY_ID="$(nth_id 1)"
[[ "$KEY" == sgk_* ]] || fail 'expected a secret starting with sgk_'
ok "createApiKey: the secret ($(field prefix)…) is shown this once"
gql '{ products(first: 1) { edges { node { name } } } }' null -H "X-API-Key: $KEY"
expect_ok
ok 'X-API-Key with PRODUCTS_READ reads the catalogue'
gql '{ myOrders(first: 1) { totalCount } }' null -H "X-API-Key: $KEY"
expect_code FORBIDDEN
ok 'the same key on myOrders: FORBIDDEN (no ORDERS_READ)'
gql '{ apiKeys { id } }' null -H "X-API-Key: $KEY"
expect_code FORBIDDEN
ok 'the same key on apiKeys: FORBIDDEN (account management is closed to keys)'
gql 'mutation ($id: ID!) { revokeApiKey(id: $id) }' "{\"id\":\"$KEY_ID\"}" -H "Authorization: Bearer $ALICE"
expect_ok
gql '{ products(first: 1) { edges { node { name } } } }' null -H "X-API-Key: $KEY"
expect_status 401
expect_code UNAUTHENTICATED
ok 'revokeApiKey, then the key: 401 UNAUTHENTICATED'

step '6. Sessions'
cp "$ALICE_JAR" "$WORK/old.cookies"
gql 'mutation { refreshSession { accessToken user { email } } }' null -b "$ALICE_JAR" -c "$ALICE_JAR"
expect_ok
[[ -n "$(field accessToken)" ]] || fail 'expected a new access token'
ok 'refreshSession with the cookie: a new access token, and a new cookie (rotated)'
gql 'mutation { refreshSession { accessToken } }' null -b "$WORK/old.cookies"
expect_code UNAUTHENTICATED
ok 'the old cookie again: UNAUTHENTICATED, and the whole session family is revoked'
gql 'mutation { refreshSession { accessToken } }' null -b "$ALICE_JAR"
expect_code UNAUTHENTICATED
ok 'so the newest cookie is refused too: alice signs in again'

step '7. The login limit'
# login allows 10 calls a minute per client network, right password or not: this step spends
# what is left of it, so for up to a minute after it no login from this machine succeeds.
LIMITED=''
for attempt in $(seq 1 11); do
  gql "$LOGIN" '{"input":{"email":"bob@example.com","password":"bob-demo-password-1"}}'
  if has "$FIELD_LIMIT_MESSAGE"; then
    LIMITED="$attempt"
    break
  fi
  expect_ok
done
[[ -n "$LIMITED" ]] || fail 'expected RATE_LIMITED within 11 logins'
expect_status 200
expect_code RATE_LIMITED
ok "login after $((LIMITED - 1)) more: RATE_LIMITED, retryAfter $(number retryAfter) s (10 logins a minute per network)"

printf '\nThe walk-through ran as written.\n'
