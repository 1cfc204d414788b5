#!/usr/bin/env bash
# Real container check (issue: Docker image that keeps everything on the host):
# builds the image, converts the sample book through `compose run` as a non-root
# uid, kills the container mid-book (SIGKILL), reruns the same command and checks
# that it resumed (no finished sentence re-spoken), that the audiobook has its
# chapters, and that every file on the host belongs to the given uid.
#
#   scripts/container-check.sh            # podman + podman-compose (see below), or docker
#
# On a machine without a Docker daemon, ../shared/tools/container-engine.sh (or
# any rootful podman + podman-compose) provides the engine; it is sourced when present.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ENGINE_SH=${ENGINE_SH:-$ROOT/../shared/tools/container-engine.sh}
if ! command -v podman >/dev/null && ! command -v docker >/dev/null || [ -f "$ENGINE_SH" ]; then
  # shellcheck disable=SC1090
  [ -f "$ENGINE_SH" ] && source "$ENGINE_SH"
fi
if command -v podman >/dev/null; then C=podman; COMPOSE=(podman-compose); else C=docker; COMPOSE=(docker compose); fi
IMG=${IMG:-e2a:latest}
U=${CHECK_UID:-1234}:${CHECK_GID:-1234}
fail=0
ok() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

echo "== build ($C)"
t0=$(date +%s)
$C build -q -t "$IMG" "$ROOT" >/dev/null
echo "built $IMG in $(( $(date +%s) - t0 )) s"

D=$(mktemp -d /tmp/e2a-container-check.XXXX)
trap '$C rm -f e2a-check e2a-check-gui >/dev/null 2>&1 || true' EXIT
mkdir -p "$D/ebooks"
cp "$ROOT/docker-compose.yml" "$D/"
cp "$ROOT/samples/aesop.epub" "$D/ebooks/"
chown -R "$U" "$D"
cd "$D"

echo "== start a conversion as $U and kill the container mid-book"
$C run -d --name e2a-check --user "$U" -v "$D:/app" "$IMG" pipeline ebooks/aesop.epub --session book1 >/dev/null
n=0
for _ in $(seq 600); do
  n=$( (find "$D/tmp" -name '*.flac' -path '*/audio/*' ! -name '.*' 2>/dev/null || true) | wc -l)
  [ "$n" -ge 4 ] && break
  sleep 0.2
done
$C kill e2a-check >/dev/null            # SIGKILL, like a power cut
rc=$($C wait e2a-check || true)
$C rm -f e2a-check >/dev/null
[ "$n" -ge 4 ] && ok "killed (exit $rc) after $n sentences were spoken" || bad "no audio appeared before the kill"
[ ! -e "$D/audiobooks/Three Fables of Aesop.m4b" ] && ok "no audiobook yet" || bad "audiobook exists after a kill"
before=$(find "$D/tmp" -name '*.flac' ! -name '.*' -printf '%p %i %T@\n' | sort)

echo "== rerun the same command through compose: it resumes"
out=$(env UID="${U%%:*}" GID="${U##*:}" "${COMPOSE[@]}" run --rm -T e2a pipeline ebooks/aesop.epub --session book1 --keep-workdir 2>&1 || echo "EXIT $?")
echo "$out" | grep -v syslog | tail -5
echo "$out" | grep -q "resuming" && ok "says it resumes" || bad "no resume message"
echo "$out" | grep -q "^EXIT" && bad "compose run failed" || ok "compose run succeeded"
after=$(find "$D/tmp" -name '*.flac' ! -name '.*' -printf '%p %i %T@\n' | sort)
missing=$(comm -23 <(echo "$before") <(echo "$after") | wc -l)
[ "$missing" -eq 0 ] && ok "no finished sentence was spoken again ($(echo "$before" | wc -l) kept)" || bad "$missing sentence files were rewritten"
m4b="$D/audiobooks/Three Fables of Aesop.m4b"
if [ -f "$m4b" ]; then
  chapters=$(ffprobe -v error -show_chapters -of csv "$m4b" | wc -l)
  [ "$chapters" -eq 3 ] && ok "audiobook has 3 chapters" || bad "audiobook has $chapters chapters"
else
  bad "no audiobook written"
fi
owners=$(find "$D" -mindepth 1 ! -path "$D/ebooks*" ! -name docker-compose.yml -printf '%u:%g\n' | sort -u | tr '\n' ' ')
[ "$owners" = "$U " ] && ok "every file on the host is owned by $U" || bad "owners on the host: $owners"

echo "== ebook2audiobook spelling runs against the image"
out=$($C run --rm --user "$U" -v "$D:/app" "$IMG" --headless --ebook ebooks/aesop.epub --session book1 --output_format m4b 2>&1 || true)
echo "$out" | grep -q "already converted" && ok "--headless --ebook accepted (finished book not redone)" || { echo "$out"; bad "--headless --ebook"; }

echo "== default command: the web interface on port 7860"
$C run -d --name e2a-check-gui --user "$U" -v "$D:/app" -p 127.0.0.1:17860:7860 "$IMG" >/dev/null
code=000
for _ in $(seq 120); do
  code=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:17860/ || true)
  [ "$code" = 200 ] && break
  sleep 1
done
$C rm -f e2a-check-gui >/dev/null 2>&1 || true
[ "$code" = 200 ] && ok "web interface answers on 7860" || bad "web interface did not answer (HTTP $code)"

rm -rf "$D"
[ $fail -eq 0 ] && echo "container check: all passed" || echo "container check: FAILED"
exit $fail
