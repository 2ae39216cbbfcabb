#!/usr/bin/env bash
# Smoke run of deploy/ on this machine (a script, not part of .ci/run): the service in production mode under
# gunicorn with deploy/gunicorn.conf.py, on a fresh PostgreSQL database, behind nginx with deploy/nginx's site
# (a self-signed certificate, ports 8080/8443 instead of 80/443), then requests through nginx:
#   HTTP is redirected to HTTPS; /healthz answers; a token is issued with the security headers and HSTS (the
#   proxy's X-Forwarded-Proto is trusted: TRUSTED_PROXIES=1); wrong passwords are limited (429); a body over
#   the upload limit is refused by nginx (413).
# Needs: nginx and openssl (Debian: nginx-light), PostgreSQL at 127.0.0.1:5432 (user postgres), Redis at
# 127.0.0.1:6379 (its database 15 is emptied), .venv.
# Everything it starts it stops; everything it writes is in a temporary folder and the database
# disclosure_smoke, dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$(mktemp -d)
DB=disclosure_smoke
PSQL=(psql -h 127.0.0.1 -U postgres -qAt)
cleanup() {
  [ -f "$WORK/gunicorn.pid" ] && kill "$(cat "$WORK/gunicorn.pid")" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && nginx -c "$WORK/nginx.conf" -s quit 2>/dev/null || true
  sleep 1
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
step() { echo "==> $*"; }
check() {  # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "    ok: $1 ($3)"; else echo "    FAILED: $1: expected $2, got $3"; exit 1; fi
}

step "database $DB, keys, agencies, environment in $WORK"
"${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres
"${PSQL[@]}" -c "CREATE DATABASE $DB" postgres
cat > "$WORK/agencies.json" <<'JSON'
[{"code": "gzsft", "name": "贵州省司法厅", "short_name": "黔司", "office": "贵州省司法厅政府信息公开工作机构（厅办公室）",
  "address": "贵州省贵阳市观山湖区（冒烟测试地址）", "postcode": "550081", "phone": "0851-12345678"}]
JSON
export APP_ENV=production DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$DB" \
  SECRET_KEY="$("$ROOT/.venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))')" \
  EVENT_KEYS_FILE="$WORK/event_keys.json" CHECKPOINT_KEY_FILE="$WORK/checkpoint_key.pem" \
  AGENCIES_FILE="$WORK/agencies.json" TRUSTED_PROXIES=1 WEB_CONCURRENCY=2 BIND=127.0.0.1:8001 LOG_FORMAT=json \
  RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/15  # the workers share the sign-in counts (Redis database 15)
"$ROOT/.venv/bin/python" -c "import redis; redis.Redis.from_url('redis://127.0.0.1:6379/15').flushdb()"
"$ROOT/.venv/bin/python" - <<'PY'
import json, os, secrets
with open(os.environ["EVENT_KEYS_FILE"], "w") as fh:
    json.dump({"current": "k1", "keys": {"k1": secrets.token_hex(32)}}, fh)
PY
FLASK=("$ROOT/.venv/bin/flask" --app wsgi)

step "migrations and a user (production configuration)"
"${FLASK[@]}" db upgrade 2>&1 | tail -1
"${FLASK[@]}" create-user smoke --role handler --password "smoke-test-password" --department 办公室

step "gunicorn -c deploy/gunicorn.conf.py on $BIND"
"$ROOT/.venv/bin/gunicorn" -c deploy/gunicorn.conf.py --pid "$WORK/gunicorn.pid" --daemon \
  --error-logfile "$WORK/gunicorn.log" --access-logfile "$WORK/access.log" wsgi:app
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:8001/healthz && break; sleep 0.2; done

step "nginx with deploy/nginx/disclosure.conf (self-signed certificate, ports 8080 and 8443)"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
  -keyout "$WORK/privkey.pem" -out "$WORK/fullchain.pem" 2>/dev/null
sed -e "s#listen 80;#listen 127.0.0.1:8080;#" -e "s#listen 443 ssl http2;#listen 127.0.0.1:8443 ssl http2;#" \
    -e "s#/etc/ssl/disclosure/#$WORK/#g" -e "s#127.0.0.1:8000#127.0.0.1:8001#g" \
    -e "s#disclosure.example.gov.cn#localhost#g" deploy/nginx/disclosure.conf > "$WORK/site.conf"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events {}
http {
    access_log $WORK/nginx-access.log;
    client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy; fastcgi_temp_path $WORK/fastcgi;
    uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
    include $WORK/site.conf;
}
CONF
nginx -t -c "$WORK/nginx.conf" 2>&1 | tail -1
nginx -c "$WORK/nginx.conf"

step "requests through nginx"
check "HTTP is redirected to HTTPS" 301 "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/healthz)"
check "GET /healthz over HTTPS" '{"database":"ok","status":"ok"}' "$(curl -sk https://127.0.0.1:8443/healthz)"
headers=$(curl -sk -D - -o "$WORK/token.json" -H 'Content-Type: application/json' \
  -d '{"username": "smoke", "password": "smoke-test-password"}' https://127.0.0.1:8443/api/v1/tokens)
check "a token is issued" 201 "$(echo "$headers" | head -1 | cut -d' ' -f2)"
check "HSTS behind the proxy" 1 "$(echo "$headers" | grep -ci '^strict-transport-security: max-age=31536000')"
check "Cache-Control: no-store" 1 "$(echo "$headers" | grep -ci '^cache-control: no-store')"
check "nosniff" 1 "$(echo "$headers" | grep -ci '^x-content-type-options: nosniff')"
TOKEN=$("$ROOT/.venv/bin/python" -c "import json; print(json.load(open('$WORK/token.json'))['token'])")
check "the case list with the token" 200 "$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" https://127.0.0.1:8443/api/v1/cases)"
for _ in 1 2 3 4 5; do curl -sk -o /dev/null -H 'Content-Type: application/json' \
  -d '{"username": "smoke", "password": "a-wrong-guess"}' https://127.0.0.1:8443/api/v1/tokens; done
check "the sixth wrong password is refused with 429" 429 "$(curl -sk -o /dev/null -w '%{http_code}' \
  -H 'Content-Type: application/json' -d '{"username": "smoke", "password": "smoke-test-password"}' \
  https://127.0.0.1:8443/api/v1/tokens)"
head -c 34000000 /dev/zero > "$WORK/big.bin"
check "a body over 32 MB is refused by nginx" 413 "$(curl -sk -o /dev/null -w '%{http_code}' \
  -H "Authorization: Bearer $TOKEN" -F "file=@$WORK/big.bin" "https://127.0.0.1:8443/api/v1/imports?process=disclosure_request")"
check "the sign-in failures were recorded with the client's address" 5 \
  "$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM audit_records WHERE kind = 'sign_in_failed' AND address = '127.0.0.1'")"
echo "smoke run passed"
